"""Deterministic demo data for the Snov.io sandbox: a handful of `.example` companies
with prospects, emails, generic contacts and verification outcomes, three campaigns
with their activity, two prospect lists."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

FIRST = (
    "Ava Ben Chloe Dan Elena Farid Grace Hugo Iris Jonas Kira Liam Maya Noah Olga Pablo "
    "Quinn Rosa Sami Tara Umar Vera Wes Xena Yuri Zoe"
).split()
LAST = (
    "Archer Bauer Castillo Dumont Eriksen Fischer Garcia Hart Ivanova Jensen Kowalski "
    "Lindqvist Moreau Nakamura Okafor Petrov Quintero Rossi Schmidt Tanaka Ueda Varga "
    "Walsh Yilmaz Zhang"
).split()
POSITIONS = (
    "CEO",
    "VP of Sales",
    "Head of Marketing",
    "Sales Manager",
    "Account Executive",
    "Software Developer",
    "QA Engineer",
    "CTO",
    "Operations Manager",
    "Customer Success Manager",
)
GENERIC = ("info", "sales", "support", "hello", "careers")

# domain: (company name, city, founded, industry, size, prospects)
COMPANIES = {
    "brightforge.example": ("BrightForge", "Austin", "2014", "Computer Software", "51-200", 26),
    "northpeak.example": (
        "NorthPeak Analytics",
        "Denver",
        "2011",
        "Information Technology",
        "201-500",
        12,
    ),
    "lumenworks.example": (
        "Lumenworks",
        "Toronto",
        "2019",
        "Marketing and Advertising",
        "11-50",
        8,
    ),
    "quietriver.example": (
        "Quiet River Foods",
        "Portland",
        "2003",
        "Food Production",
        "501-1000",
        5,
    ),
}


def stable_hash(*parts: Any, length: int = 32) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:length]


@dataclass
class SeedProspect:
    hash: str
    first_name: str
    last_name: str
    position: str
    domain: str
    email: str  # "" when Snov.io knows no email for them

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class Company:
    domain: str
    name: str
    city: str
    founded: str
    industry: str
    size: str
    prospects: list[SeedProspect]
    domain_emails: list[str]
    generic: list[str]


@dataclass
class Campaign:
    id: int
    name: str
    list_id: int
    status: str
    created_at: int
    started_at: int | None
    recipients: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)  # kind, email, at


def verification_outcome(email: str) -> dict[str, Any]:
    """valid, not_valid, or unknown with a reason: the same answer for an email every time."""
    email = email.lower()
    if email.startswith(("info@", "hello@")):
        return {"smtp": "unknown", "catchall": True, "greylist": False}
    bucket = int(stable_hash(email, length=8), 16) % 10
    if bucket in (0, 1):
        return {"smtp": "not_valid", "catchall": False, "greylist": False}
    if bucket == 2:
        return {"smtp": "unknown", "catchall": True, "greylist": False}
    if bucket == 3:
        return {"smtp": "unknown", "catchall": False, "greylist": True}
    return {"smtp": "valid", "catchall": False, "greylist": False}


def seed_companies(seed: int) -> dict[str, Company]:
    rng = random.Random(seed)
    companies = {}
    used: set[str] = set()
    for domain, (name, city, founded, industry, size, count) in COMPANIES.items():
        prospects = []
        for i in range(count):
            while True:
                first, last = rng.choice(FIRST), rng.choice(LAST)
                if (first, last, domain) not in used:
                    used.add((first, last, domain))
                    break
            email = f"{first}.{last}@{domain}".lower() if i % 6 != 5 else ""
            prospects.append(
                SeedProspect(
                    hash=stable_hash(seed, domain, first, last, length=64),
                    first_name=first,
                    last_name=last,
                    position=POSITIONS[i % len(POSITIONS)],
                    domain=domain,
                    email=email,
                )
            )
        emails = [p.email for p in prospects if p.email]
        extra = [
            f"{first[0]}{last}@{domain}".lower()
            for first, last in zip(FIRST, LAST[3:], strict=False)
        ]
        companies[domain] = Company(
            domain=domain,
            name=name,
            city=city,
            founded=founded,
            industry=industry,
            size=size,
            prospects=prospects,
            domain_emails=emails + extra[: max(2, count // 2)],
            generic=[f"{g}@{domain}" for g in GENERIC[: 2 + count % 4]],
        )
    return companies


def seed_campaigns(seed: int, now: datetime) -> dict[int, Campaign]:
    rng = random.Random(seed + 1)
    campaigns = {}
    specs = (
        (237945, "BrightForge outreach", 8512947, "Active"),
        (237956, "Q3 follow-ups", 7654321, "Paused"),
        (238001, "Test campaign", 7654321, "Draft"),
    )
    start = int((now - timedelta(days=40)).timestamp())
    for cid, name, list_id, status in specs:
        campaign = Campaign(
            cid, name, list_id, status, start, None if status == "Draft" else start + 3600
        )
        if status != "Draft":
            for i in range(12):
                first, last = FIRST[(i + cid) % len(FIRST)], LAST[(i * 3 + cid) % len(LAST)]
                email = f"{first}.{last}@prospect{i % 3}.example".lower()
                campaign.recipients[email] = {
                    "name": f"{first} {last}",
                    "status": "Finished" if i % 5 == 0 else "Active",
                    "prospect_id": stable_hash(cid, email, length=64),
                }
                day = now - timedelta(days=rng.randint(1, 35), minutes=rng.randint(0, 600))
                campaign.events.append({"kind": "sent", "email": email, "at": day})
                if rng.random() < 0.7:
                    campaign.events.append(
                        {"kind": "open", "email": email, "at": day + timedelta(hours=2)}
                    )
                if rng.random() < 0.3:
                    campaign.events.append(
                        {"kind": "click", "email": email, "at": day + timedelta(hours=3)}
                    )
                if rng.random() < 0.35:
                    campaign.events.append(
                        {"kind": "reply", "email": email, "at": day + timedelta(hours=5)}
                    )
                if rng.random() < 0.08:
                    campaign.events.append({"kind": "bounce", "email": email, "at": day})
        campaigns[cid] = campaign
    return campaigns


def when(moment: datetime) -> dict[str, Any]:
    return {
        "date": moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.000000"),
        "timezone_type": 3,
        "timezone": "UTC",
    }
