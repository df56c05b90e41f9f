"""The contacts CRM (Skarbe) sandbox: the four documented routes under /crm.

- `GET  /api/connect/contacts?query=`        Get Contacts
- `POST /api/connect/contacts`               Create Contact
- `GET  /api/connect/contacts/lead-statuses` Get Lead Statuses
- `GET  /api/connect/me`                     Get Current User

Auth is the `X-Api-Key` header; every error is `{"error": "..."}` (400, 401, and
the generic 404/405/429 and faults of server.py). Where the doc is silent:

- Get Contacts answers every match, newest first, unpaged; `query` is a
  case-insensitive substring of firstName, lastName or email. Unset attributes
  are `null`, `phoneNumbers` is an array of strings, `leadStatus` is
  `{id, label, color}` or `null`.
- Create Contact checks, in this order: a JSON object whose documented fields are
  strings ("Invalid request data"), email or firstName ("At least email or
  firstName is required"), the email's form ("Invalid email"), leadStatus an id
  of this workspace ("Invalid lead status"). `phoneNumbers` may be a string or an
  array of strings. Unknown keys are ignored; emails are lower-cased. Duplicate
  emails are accepted (the doc does not refuse them), which is why the dashboard
  searches before it creates. The answer is the id, the fields given and
  createdAt, as the doc's sample; `twitterUrl` is stored but, as the doc's
  attribute list says, never answered by Get Contacts.
- Controls (no auth): `GET /_sandbox/crm/contacts[?email=]` (with twitterUrl) and
  `POST /_sandbox/crm/lead-statuses/{id}/delete`.

The seed is deterministic for a seed: lead statuses with colours, the current
user and workspace, and a few hundred contacts. Some of them are people the Klenty
sandbox also holds (same email, name, company and title), picked from the Klenty
service's freshly reset state, so dedupe by email is exercised in both directions.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sandbox.klenty_seed import COMPANY_STEMS, FIRST_NAMES, LAST_NAMES, ROLES
from sandbox.server import ApiError, Request, Route, Router, SandboxApp, Service

API = "/api/connect"
SEED_CONTACTS = 300
SHARED_WITH_KLENTY = 60  # of those, people the Klenty sandbox also holds
WITHOUT_EMAIL = 8  # a first name and no email: allowed by Create Contact
DAY = 86400.0
MAX_TEXT = 2000
# What Create Contact takes ("Available fields"), plus leadStatus.
TEXT_FIELDS = (
    "email",
    "firstName",
    "lastName",
    "jobTitle",
    "companyName",
    "facebookUrl",
    "instagramUrl",
    "linkedinUrl",
    "twitterUrl",
    "note",
)
# A pragmatic check, like the validators web apps use: one @, no spaces, a dot
# in the domain.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")

LEAD_STATUSES = (  # id, type, label, color
    (1, "lead", "New Lead", "#3B82F6"),
    (2, "qualified", "Qualified Lead", "#10B981"),
    (3, "lead", "Contacted", "#F59E0B"),
    (4, "lead", "Nurturing", "#8B5CF6"),
    (5, "qualified", "Meeting Booked", "#0EA5E9"),
    (6, "disqualified", "Not a Fit", "#EF4444"),
    (7, "disqualified", "Lost", "#6B7280"),
)
ME = {
    "details": {"name": "Morgan Hale", "email": "morgan.hale@northwind.example"},
    "workspace": {"name": "Northwind Traders"},
}
# CRM-only companies end differently from the Klenty seed's, so their people
# never collide with Klenty prospects by accident.
CRM_COMPANY_ENDINGS = ("group", "partners", "ventures", "collective")
NOTES = (
    "Met at SaaStr",
    "Asked for a follow-up in Q3",
    "Referred by an existing customer",
    "Downloaded the pricing guide",
    "",
    "",
)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{int(ts * 1000) % 1000:03d}Z"
    )


@dataclass
class CrmContact:
    id: int
    values: dict[str, str]  # TEXT_FIELDS, camelCase, "" when unset
    phone_numbers: list[str] = field(default_factory=list)
    photo: str = ""
    lead_status: int | None = None
    created: float = 0.0
    last_activity: float | None = None

    @property
    def email(self) -> str:
        return self.values.get("email", "")

    def full_name(self) -> str:
        return " ".join(p for p in (self.values["firstName"], self.values["lastName"]) if p)


class CrmState:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.contacts: dict[int, CrmContact] = {}
        self.lead_statuses = {
            sid: {"id": sid, "type": kind, "label": label, "color": color, "order": sid}
            for sid, kind, label, color in LEAD_STATUSES
        }
        self.next_id = 1

    def copy(self) -> CrmState:
        """A copy to change: the pristine seeded state stays cached for the next reset."""
        other = CrmState(self.seed)
        other.lead_statuses = {sid: dict(s) for sid, s in self.lead_statuses.items()}
        other.contacts = {
            cid: replace(c, values=dict(c.values), phone_numbers=list(c.phone_numbers))
            for cid, c in self.contacts.items()
        }
        other.next_id = self.next_id
        return other

    def add(self, contact: CrmContact) -> CrmContact:
        contact.id = self.next_id
        self.next_id += 1
        self.contacts[contact.id] = contact
        return contact


def _blank() -> dict[str, str]:
    return dict.fromkeys(TEXT_FIELDS, "")


def build_state(seed: int, klenty_people: list[dict[str, str]], now: float) -> CrmState:
    """`klenty_people`: email, first/last name, company, title of Klenty prospects."""
    rng = random.Random(f"crm-{seed}")
    state = CrmState(seed)
    shared = rng.sample(klenty_people, min(SHARED_WITH_KLENTY, len(klenty_people)))
    shared_at = set(rng.sample(range(SEED_CONTACTS), len(shared)))
    no_email_at = set(
        rng.sample([i for i in range(SEED_CONTACTS) if i not in shared_at], WITHOUT_EMAIL)
    )
    taken = {p["email"] for p in klenty_people}
    companies = [(stem, rng.choice(CRM_COMPANY_ENDINGS)) for stem in COMPANY_STEMS]
    # Oldest first, so ids grow with createdAt as in a real database.
    created = sorted(now - rng.random() * 365 * DAY for _ in range(SEED_CONTACTS))
    shared_iter = iter(shared)
    for i in range(SEED_CONTACTS):
        values = _blank()
        if i in shared_at:
            person = next(shared_iter)
            values.update(
                email=person["email"],
                firstName=person["first_name"],
                lastName=person["last_name"],
                companyName=person["company"],
                jobTitle=person["title"],
            )
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            stem, ending = rng.choice(companies)
            _, title = rng.choice(ROLES)
            values.update(
                firstName=first,
                lastName=last,
                companyName=f"{stem} {ending.title()}",
                jobTitle=title,
            )
            if i not in no_email_at:
                local, domain = f"{first}.{last}".lower(), f"{stem}{ending}.example".lower()
                email, n = f"{local}@{domain}", 2
                while email in taken:
                    email, n = f"{local}{n}@{domain}", n + 1
                values["email"] = email
        if values["email"]:
            taken.add(values["email"])
        slug = f"{values['firstName']}-{values['lastName']}".lower()
        values["linkedinUrl"] = f"https://www.linkedin.com/in/{slug}-{rng.getrandbits(16):04x}"
        values["note"] = rng.choice(NOTES)
        if rng.random() < 0.15:
            values["twitterUrl"] = f"https://twitter.com/{slug.replace('-', '')}"
        phones = [f"+1415555{rng.randrange(10000):04d}"] if rng.random() < 0.7 else []
        if phones and rng.random() < 0.2:
            phones.append(f"+1212555{rng.randrange(10000):04d}")
        status = rng.choice([None, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7])
        activity = created[i] + rng.random() * (now - created[i]) if rng.random() < 0.8 else None
        state.add(
            CrmContact(
                id=0,
                values=values,
                phone_numbers=phones,
                photo=f"https://avatars.skarbe.example/{slug}.png" if rng.random() < 0.3 else "",
                lead_status=status,
                created=created[i],
                last_activity=activity,
            )
        )
    return state


def bad(message: str) -> ApiError:
    return ApiError(400, None, message)


class CrmService(Service):
    name = "crm"
    prefix = "/crm"
    bad_input_code = "BAD_REQUEST"

    def __init__(self, app: SandboxApp, *, seed: int, key: str, **credentials: Any):
        super().__init__()
        self.app = app
        self.default_seed = seed
        self.key = key
        self.credentials = credentials
        self._pristine: dict[tuple[int, int, int], CrmState] = {}
        self.state = self._fresh_state(seed)
        self.router = Router(
            [
                ("GET", API + "/contacts", self.get_contacts),
                ("POST", API + "/contacts", self.create_contact),
                ("GET", API + "/contacts/lead-statuses", self.get_lead_statuses),
                ("GET", API + "/me", self.get_me),
            ]
        )

    # Service hooks ------------------------------------------------------------

    def authenticate(self, request: Request) -> str:
        key = request.headers.get("x-api-key") or ""
        if key != self.key:
            raise ApiError(401, "UNAUTHORIZED", "Invalid or missing API key")
        return "crm:" + key

    def error_body(self, code: str, message: str) -> dict[str, str]:
        return {"error": message}

    def reset(self, options: dict[str, Any]) -> dict[str, Any]:
        seed = options.get("seed", self.default_seed)
        self.state = self._fresh_state(seed)
        return {"crm_contacts": len(self.state.contacts)}

    def control_routes(self) -> list[Route]:
        return [
            ("GET", "crm/contacts", self.control_contacts),
            ("POST", "crm/lead-statuses/{status_id}/delete", self.control_delete_status),
        ]

    def stats(self) -> dict[str, Any]:
        return {
            "crm_contacts": len(self.state.contacts),
            "crm_lead_statuses": len(self.state.lead_statuses),
        }

    def _klenty_people(self) -> list[dict[str, str]]:
        """The Klenty sandbox's prospects (reset before us: it is mounted first)."""
        for service in self.app.services:
            state = getattr(service, "state", None)
            if service.name == "klenty" and state is not None:
                people = [
                    {
                        "email": p.email,
                        "first_name": p.fields.get("FirstName", ""),
                        "last_name": p.fields.get("LastName", ""),
                        "company": p.fields.get("Company", ""),
                        "title": p.fields.get("Title", ""),
                    }
                    for p in state.prospects.values()
                ]
                return sorted(people, key=lambda p: p["email"])
        return []

    def _fresh_state(self, seed: int) -> CrmState:
        # Cached per seed, Klenty size and day, as the Klenty seed is: a reset is a copy.
        klenty = next((s for s in self.app.services if s.name == "klenty"), None)
        size = len(klenty.state.prospects) if klenty is not None else 0
        key = (seed, size, int(time.time() // DAY))
        if key not in self._pristine:
            if len(self._pristine) >= 3:
                self._pristine.clear()
            self._pristine[key] = build_state(seed, self._klenty_people(), time.time())
        return self._pristine[key].copy()

    # JSON shapes ----------------------------------------------------------------

    def _status_ref(self, status_id: int | None) -> dict[str, Any] | None:
        status = self.state.lead_statuses.get(status_id) if status_id is not None else None
        if status is None:
            return None
        return {"id": status["id"], "label": status["label"], "color": status["color"]}

    def contact_json(self, contact: CrmContact) -> dict[str, Any]:
        """The documented attributes, in the doc's order, then leadStatus.
        twitterUrl is taken on create but not among the attributes Get Contacts lists."""
        v = contact.values
        return {
            "id": contact.id,
            "email": v["email"] or None,
            "photo": contact.photo or None,
            "firstName": v["firstName"] or None,
            "lastName": v["lastName"] or None,
            "fullName": contact.full_name() or None,
            "jobTitle": v["jobTitle"] or None,
            "companyName": v["companyName"] or None,
            "phoneNumbers": list(contact.phone_numbers),
            "facebookUrl": v["facebookUrl"] or None,
            "instagramUrl": v["instagramUrl"] or None,
            "linkedinUrl": v["linkedinUrl"] or None,
            "note": v["note"] or None,
            "lastActivityAt": iso(contact.last_activity) if contact.last_activity else None,
            "createdAt": iso(contact.created),
            "leadStatus": self._status_ref(contact.lead_status),
        }

    # Routes -----------------------------------------------------------------------

    def get_contacts(self, request: Request) -> list[dict[str, Any]]:
        """Newest first; `query` matches first name, last name or email (any case)."""
        query = request.query.get("query", "").strip().lower()
        found = []
        for contact in reversed(self.state.contacts.values()):
            v = contact.values
            haystack = (v["firstName"].lower(), v["lastName"].lower(), v["email"].lower())
            if not query or any(query in part for part in haystack):
                found.append(self.contact_json(contact))
        return found

    def create_contact(self, request: Request) -> dict[str, Any]:
        body = request.json(default=None)
        if not isinstance(body, dict):
            raise bad("Invalid request data")
        # Checked in this order, so a body with several faults gets the first one's answer.
        values = self._contact_values(body)
        phones = self._phone_numbers(body.get("phoneNumbers"))
        if not values["email"] and not values["firstName"]:
            raise bad("At least email or firstName is required")
        if values["email"]:
            if not EMAIL_RE.match(values["email"]) or ".." in values["email"]:
                raise bad("Invalid email")
            values["email"] = values["email"].lower()
        status = self._lead_status(body.get("leadStatus"))
        contact = self.state.add(
            CrmContact(
                id=0,
                values=values,
                phone_numbers=phones,
                lead_status=status,
                created=time.time(),
            )
        )
        # As the doc's sample: the id, what was given, and createdAt.
        answer: dict[str, Any] = {"id": contact.id}
        for key in TEXT_FIELDS:
            if values[key] and key != "twitterUrl":
                answer[key] = values[key]
        if phones:
            answer["phoneNumbers"] = phones
        answer["createdAt"] = iso(contact.created)
        return answer

    @staticmethod
    def _contact_values(body: dict[str, Any]) -> dict[str, str]:
        """The text fields given, stripped; blank for those left out."""
        values = _blank()
        for key in TEXT_FIELDS:
            value = body.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                raise bad("Invalid request data")
            values[key] = value.strip()
        return values

    def _lead_status(self, status: Any) -> int | None:
        """A known lead status id, given as a number or as its digits; None if not given."""
        if status is None:
            return None
        if isinstance(status, bool) or not isinstance(status, int | str):
            raise bad("Invalid lead status")
        try:
            status = int(status)
        except ValueError:
            raise bad("Invalid lead status") from None
        if status not in self.state.lead_statuses:
            raise bad("Invalid lead status")
        return status

    @staticmethod
    def _phone_numbers(value: Any) -> list[str]:
        """The doc gives no type: a string or a list of strings is taken."""
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("Invalid request data")
        return [v.strip() for v in value if v.strip()]

    def get_lead_statuses(self, request: Request) -> list[dict[str, Any]]:
        return sorted(
            (dict(s) for s in self.state.lead_statuses.values()), key=lambda s: s["order"]
        )

    def get_me(self, request: Request) -> dict[str, Any]:
        return {"details": dict(ME["details"]), "workspace": dict(ME["workspace"])}

    # Control (no auth) --------------------------------------------------------------

    def control_contacts(self, request: Request) -> dict[str, Any]:
        """Every contact (or those with `email`), with twitterUrl, for tests."""
        email = request.query.get("email", "").strip().lower()
        contacts = []
        for contact in self.state.contacts.values():
            if email and contact.email != email:
                continue
            contacts.append(
                {
                    **self.contact_json(contact),
                    "twitterUrl": contact.values["twitterUrl"] or None,
                }
            )
        return {"contacts": contacts, "total": len(contacts)}

    def control_delete_status(self, request: Request, status_id: str) -> dict[str, Any]:
        """Remove a lead status (as an admin would in the CRM); contacts keep none."""
        sid = int(status_id) if status_id.isdigit() else -1
        if self.state.lead_statuses.pop(sid, None) is None:
            raise ApiError(404, None, f"No lead status {status_id[:20]}")
        for contact in self.state.contacts.values():
            if contact.lead_status == sid:
                contact.lead_status = None
        return {"deleted": sid}
