"""Deterministic demo data for the Klenty sandbox.

Everything comes from one `random.Random(seed)`, so a seed always gives the
same team, lists, cadences, prospects, events and calls. Only the dates move:
they are relative to `now`, so the data always looks recent.

The engagement history is simulated step by step through each prospect's
cadence, so statuses and events agree (a Bounced prospect has a bounce, a
Replied one a reply) and the engagement reports can be computed from events.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.klenty_data import (
    BOUNCED,
    COMPLETED,
    DO_NOT_CONTACT,
    IN_CADENCE,
    MANUALLY_STOPPED,
    NOT_CONTACTED,
    PAUSED,
    REPLIED,
    STOPPED,
    UNSUBSCRIBED,
    Cadence,
    Event,
    KlentyState,
    MailOption,
    Membership,
    Prospect,
    Step,
    iso,
)
from sandbox.team import TEAM_EMAILS

HOUR = 3600.0
DAY = 86400.0

FIRST_NAMES = (
    "Olivia Liam Emma Noah Ava Elijah Sophia Lucas Mia Mateo Amelia Levi Harper Ezra Evelyn "
    "Aarav Ananya Kenji Yuki Chen Mei Fatima Omar Amara Kwame Zara Luca Giulia Lars Ingrid "
    "Sofia Diego Camila Andre Chloe Hugo Lea Jonas Nora Felix Maya Ethan Isla Arjun Priya "
    "Daniel Grace Samuel Hannah Tomas Elena Ravi Aisha Marco Clara Owen Ruby Theo Alice"
).split()
LAST_NAMES = (
    "Smith Johnson Garcia Miller Davis Martinez Lopez Wilson Anderson Taylor Thomas Moore "
    "Jackson Martin Lee Thompson White Harris Clark Lewis Walker Hall Young King Wright Scott "
    "Green Baker Adams Nelson Carter Mitchell Perez Roberts Turner Phillips Campbell Parker "
    "Evans Edwards Collins Stewart Morris Murphy Cook Rogers Reed Bailey Bell Cooper Kim Patel "
    "Singh Nguyen Chen Wang Tanaka Sato Muller Schmidt Rossi Bianchi Dubois Moreau Jansen "
    "Larsen Berg Novak Kowalski Silva Santos Costa Okafor Mensah Haddad Khan Ali Sharma Iyer"
).split()
MIDDLE_INITIALS = "A B C D E F G H J K L M N P R S T W".split()

COMPANY_STEMS = (
    "Bright Blue North Iron Silver Cedar Maple Harbor Summit Pioneer Quantum Vertex Lumen "
    "Nimbus Atlas Beacon Copper Crystal Delta Ember Falcon Granite Helix Indigo Juniper "
    "Keystone Lattice Meridian Nova Orbit Pinnacle Quill Redwood Sierra Tidal Vector Willow "
    "Zenith Aurora Kestrel"
).split()
COMPANY_ENDINGS = (
    "forge works labs soft logic data cloud systems health pay ly hub stack metrics path "
    "wave grid point scale ware"
).split()
INDUSTRIES = ("SaaS", "Fintech", "Healthcare", "Manufacturing", "Retail", "Logistics", "Education")
EMPLOYEE_BANDS = ("1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5000+")
SEGMENTS = ("SMB", "SMB", "Mid-Market", "Mid-Market", "Mid-Market", "Enterprise", "Enterprise")

PLACES = (  # city, country, phone country code
    ("San Francisco", "United States", "+1"),
    ("New York", "United States", "+1"),
    ("Austin", "United States", "+1"),
    ("Chicago", "United States", "+1"),
    ("Seattle", "United States", "+1"),
    ("Boston", "United States", "+1"),
    ("Toronto", "Canada", "+1"),
    ("London", "United Kingdom", "+44"),
    ("Dublin", "Ireland", "+353"),
    ("Berlin", "Germany", "+49"),
    ("Paris", "France", "+33"),
    ("Amsterdam", "Netherlands", "+31"),
    ("Stockholm", "Sweden", "+46"),
    ("Bengaluru", "India", "+91"),
    ("Singapore", "Singapore", "+65"),
    ("Sydney", "Australia", "+61"),
)
US_AREA_CODES = ("212", "312", "415", "512", "617", "646", "737", "206", "303", "404")

ROLES = (  # department, title
    ("Sales", "VP of Sales"),
    ("Sales", "Sales Director"),
    ("Sales", "Account Executive"),
    ("Sales", "SDR Manager"),
    ("Marketing", "CMO"),
    ("Marketing", "Demand Generation Manager"),
    ("Marketing", "Marketing Operations Lead"),
    ("Engineering", "CTO"),
    ("Engineering", "VP of Engineering"),
    ("Engineering", "Engineering Manager"),
    ("Operations", "COO"),
    ("Operations", "Revenue Operations Manager"),
    ("Finance", "CFO"),
    ("Finance", "Finance Director"),
    ("People", "Head of People"),
    ("IT", "IT Director"),
    ("Executive", "CEO"),
    ("Executive", "Founder"),
)

TAG_POOL = (
    "decision-maker",
    "champion",
    "hot",
    "warm",
    "cold",
    "trial",
    "enterprise",
    "follow-up",
    "event",
    "referral",
    "paid",
    "new",
)
LIST_NAMES = (  # and the lead source their prospects usually came from
    ("Inbound Leads", "Website"),
    ("Webinar Attendees", "Webinar"),
    ("ABM Tier 1", "Outbound"),
    ("ABM Tier 2", "Outbound"),
    ("Free Trial Signups", "Product"),
    ("Event Leads", "Event"),
    ("Partner Referrals", "Partner"),
    ("Cold Outbound", "LinkedIn"),
)
LEAD_SOURCES = ("Website", "Webinar", "Referral", "Event", "LinkedIn", "Outbound", "Partner")

CADENCE_NAMES = (
    "Inbound Fast Follow-up",
    "Webinar Nurture",
    "ABM Executive Outreach",
    "Trial Activation",
    "Cold Outbound - SaaS",
    "Event Follow-up",
    "Re-engagement",
    "Partner Intro",
    "Competitor Displacement",
    "Customer Expansion",
)
SUBJECTS = (
    "Quick question about {{company}}",
    "{{firstName}}, worth a look?",
    "Ideas for {{company}}'s pipeline",
    "Following up",
    "Re: {{company}} and Northwind",
    "Closing the loop",
    "Did this get buried?",
    "A 15-minute idea for {{company}}",
)
SNIPPETS = (
    "Hi {{firstName}}, I noticed {{company}} is hiring SDRs and...",
    "Hi {{firstName}}, teams like yours usually lose hours to...",
    "Hi {{firstName}}, following up on my last note about...",
    "Hi {{firstName}}, I'll keep this short: would it make sense...",
    "Hi {{firstName}}, I haven't heard back, so I'll assume...",
)
TEMPLATES = ("Intro", "Value Prop", "Case Study", "Follow Ups", "Bump", "Breakup")

DISPOSITIONS = (  # disposition, weight, duration range in seconds
    ("NOT_ANSWERED", 35, (0, 25)),
    ("VOICE_MAIL", 25, (15, 60)),
    ("CONNECTED", 22, (45, 900)),
    ("BUSY", 8, (0, 5)),
    ("WRONG_NUMBER", 5, (5, 30)),
    ("MEETING_BOOKED", 5, (300, 1500)),
)
CALL_NOTES = (
    "Asked for a pricing deck",
    "Call back next quarter",
    "Interested, loop in their RevOps lead",
    "Using a competitor, contract ends in June",
    "Booked a demo for next week",
)

# Per mail step: chance of an open, of a click after an open, of a reply, of an
# unsubscribe; a first mail may bounce.
OPEN_RATE, CLICK_RATE, REPLY_RATE, UNSUBSCRIBE_RATE, BOUNCE_RATE = 0.5, 0.3, 0.06, 0.012, 0.03


def oid(rng: random.Random) -> str:
    return f"{rng.getrandbits(96):024x}"


def build_state(seed: int, prospects: int, now: float | None = None) -> KlentyState:
    now = time.time() if now is None else now
    rng = random.Random(seed)
    state = KlentyState(seed, [e.lower() for e in TEAM_EMAILS], rng)
    state.seeded_at = now
    for member in state.team:
        state.user_ids[member] = oid(rng)
    for i, (name, _source) in enumerate(LIST_NAMES):
        state.add_list(name, now - (200 - 9 * i) * DAY, oid(rng))
    _seed_cadences(state, rng, now)
    _seed_prospects(state, rng, now, prospects)
    _seed_calls(state, rng, now)
    # Objects created later through the API draw their ids from a fresh stream,
    # so they are the same after every reset with this seed.
    state.rng = random.Random(rng.getrandbits(64))
    return state


def _seed_cadences(state: KlentyState, rng: random.Random, now: float) -> None:
    owners = [state.team[i % len(state.team)] for i in range(len(CADENCE_NAMES))]
    rng.shuffle(owners)
    for index, name in enumerate(CADENCE_NAMES):
        steps = []
        for number in range(1, rng.randint(3, 6) + 1):
            kind = "mail" if number == 1 else rng.choices(("mail", "task", "call"), (6, 2, 2))[0]
            options: tuple[MailOption, ...] = ()
            if kind == "mail":
                options = tuple(
                    MailOption(
                        option,
                        rng.choice(TEMPLATES),
                        rng.choice(SUBJECTS),
                        rng.choice(SNIPPETS)[:30] + "...",
                    )
                    for option in range(1, (2 if rng.random() < 0.35 else 1) + 1)
                )
            steps.append(Step(number, kind, 0 if number == 1 else rng.randint(1, 4), options))
        created = now - (190 - 5 * index) * DAY
        state.add_cadence(Cadence(oid(rng), name, owners[index], created, tuple(steps)))


class _Company:
    __slots__ = ("name", "domain", "industry", "employees", "segment", "place", "phone", "email")


def _phone(rand, code: str) -> str:
    if code == "+1":
        area = US_AREA_CODES[int(rand() * len(US_AREA_CODES))]
        return f"+1{area}555{int(rand() * 10000):04d}"
    return f"{code}{int(rand() * 10**9):09d}"


def _companies(rng: random.Random, count: int) -> list[_Company]:
    names = [stem + ending for stem in COMPANY_STEMS for ending in COMPANY_ENDINGS]
    rng.shuffle(names)
    companies = []
    for name in names[:count]:
        company = _Company()
        company.name = name
        company.domain = name.lower() + ".example"
        company.industry = rng.choice(INDUSTRIES)
        band = rng.randrange(len(EMPLOYEE_BANDS))
        company.employees, company.segment = EMPLOYEE_BANDS[band], SEGMENTS[band]
        company.place = rng.choice(PLACES)
        company.phone = _phone(rng.random, company.place[2])
        company.email = f"{rng.choice(('info', 'hello', 'contact'))}@{company.domain}"
        companies.append(company)
    return companies


def _seed_prospects(state: KlentyState, rng: random.Random, now: float, count: int) -> None:
    rand, sample = rng.random, rng.sample

    def choice(seq):  # rng.choice, without its overhead: this loop runs 10^5 times
        return seq[int(rand() * len(seq))]

    companies = _companies(rng, max(20, min(800, count // 12)))
    lists = list(state.lists.values())
    sources = dict(LIST_NAMES)
    cadences = list(state.cadences.values())
    team = state.team
    taken: set[str] = set()
    for _ in range(count):
        first, last = choice(FIRST_NAMES), choice(LAST_NAMES)
        company = companies[int(rand() * len(companies))]
        local = f"{first}.{last}".lower()
        email = f"{local}@{company.domain}"
        n = 2
        while email in taken:
            email = f"{local}{n}@{company.domain}"
            n += 1
        taken.add(email)
        middle = choice(MIDDLE_INITIALS) if rand() < 0.2 else ""
        department, title = choice(ROLES)
        tail = int(rand() * 65536)
        city, country, code = company.place if rand() < 0.7 else choice(PLACES)
        fields = {
            "FullName": f"{first} {middle} {last}" if middle else f"{first} {last}",
            "FirstName": first,
            "LastName": last,
            "MiddleName": middle,
            "Account": company.segment,
            "Department": department,
            "Company": company.name,
            "CompanyDomain": company.domain,
            "Title": title,
            "Location": f"{city}, {country}",
            "Phone": _phone(rand, code),
            "TwitterId": f"https://twitter.com/{first}{last}".lower() if rand() < 0.3 else "",
            "CompanyEmail": company.email,
            "CompanyPhone": company.phone,
            "City": city,
            "Country": country,
            "LinkedinURL": f"https://www.linkedin.com/in/{local.replace('.', '-')}-{tail:04x}",
        }
        the_list = lists[int(rand() ** 1.3 * len(lists))]
        source = sources[the_list.name] if rand() < 0.7 else choice(LEAD_SOURCES)
        created = now - rand() * 180 * DAY
        prospect = Prospect(
            id=oid(rng),
            email=email,
            fields=fields,
            list_id=the_list.id,
            tags=sample(TAG_POOL, choice((0, 0, 1, 1, 1, 2, 2, 3))),
            custom={
                "industry": company.industry,
                "employees": company.employees,
                "lead_source": source,
            },
            owner=team[int(rand() * len(team))],
            status=NOT_CONTACTED,
            created=created,
            updated=created + rand() * (now - created) * 0.3,
        )
        if rand() < 0.78:
            _live_through_cadence(prospect, cadences[int(rand() * len(cadences))], rand, now)
        if prospect.status not in (UNSUBSCRIBED, BOUNCED) and rand() < 0.03:
            prospect.status_before_dnc = prospect.status
            prospect.status = DO_NOT_CONTACT
            for membership in prospect.active_memberships():
                membership.status, membership.ended = STOPPED, prospect.updated
        state.add_prospect(prospect)


def _live_through_cadence(prospect: Prospect, cadence: Cadence, rand, now: float) -> None:
    """Add the prospect to the cadence and play its steps up to `now`."""
    start = max(prospect.created, now - 90 * DAY)
    added = start + (now - start) * rand() ** 0.35  # most added in recent weeks
    membership = Membership(cadence.id, IN_CADENCE, added)
    prospect.memberships[cadence.id] = membership
    run = _CadenceRun(prospect, membership, cadence.id, rand, now, last=added)
    status = run.play(cadence)
    prospect.events.sort()
    run.settle(status)


@dataclass
class _CadenceRun:
    """One prospect's way through one cadence. The order of the `rand()` calls is the
    seed's: changing it changes every seeded account."""

    prospect: Prospect
    membership: Membership
    cid: str
    rand: Callable[[], float]
    now: float
    last: float  # the time of the prospect's latest event in the cadence

    def event(self, t: float, kind: str, number: int, *rest: Any) -> None:
        self.prospect.events.append(Event(t, kind, self.cid, number, *rest))

    def play(self, cadence: Cadence) -> str:
        """Plays the steps due by `now`; the prospect's status after them."""
        rand, now = self.rand, self.now
        t = self.last + rand() * 6 * HOUR
        for step in cadence.steps:
            if step.number > 1:
                t += step.day * DAY + (rand() - 0.5) * 4 * HOUR
            if t > now:
                return IN_CADENCE
            self.membership.step, self.last = step.number, t
            if step.type == "task" or step.type == "call":
                self.work_step(step, t)
                continue
            ended = self.mail_step(step, t)
            if ended:
                return ended
        finished = t + DAY
        if finished > now:
            return IN_CADENCE
        self.last = finished
        self.event(finished, "completed", cadence.steps[-1].number)
        return COMPLETED

    def work_step(self, step: Step, t: float) -> None:
        self.event(t, step.type, step.number)
        done = t + (1 + self.rand() * 23) * HOUR
        if done <= self.now and self.rand() < (0.8 if step.type == "task" else 0.65):
            self.event(done, step.type + "_done", step.number)

    def mail_step(self, step: Step, t: float) -> str | None:
        """Sends the step's mail and plays what the prospect does with it; the status
        that ends the cadence for them (a bounce, a reply, an unsubscribe), or None."""
        rand, number = self.rand, step.number
        option = 2 if len(step.options) > 1 and rand() < 0.5 else 1
        self.event(t, "sent", number, option)
        if number == 1 and rand() < BOUNCE_RATE:
            self.last = t + 60
            self.event(self.last, "bounce", number, option)
            return BOUNCED
        opened = self.open_and_click(t, number, option)
        if rand() < REPLY_RATE:
            replied = t + (0.5 + rand() * 48) * HOUR
            if replied <= self.now:
                self.reply(replied, opened, number, option)
                return REPLIED
        if rand() < UNSUBSCRIBE_RATE:
            unsubscribed = t + (1 + rand() * 24) * HOUR
            if unsubscribed <= self.now:
                self.last = unsubscribed
                self.event(unsubscribed, "unsubscribe", number, option)
                return UNSUBSCRIBED
        return None

    def open_and_click(self, t: float, number: int, option: int) -> float:
        """When the mail was opened (0.0 if not, or not yet)."""
        rand = self.rand
        opened = 0.0
        if rand() < OPEN_RATE:
            opened = t + (0.1 + rand() * 36) * HOUR
            if opened <= self.now:
                self.event(opened, "open", number, option)
                self.last = max(self.last, opened)
                if rand() < CLICK_RATE:
                    self.last = opened + 10 + rand() * 600
                    self.event(self.last, "click", number, option)
        return opened

    def reply(self, replied: float, opened: float, number: int, option: int) -> None:
        if not opened or opened > replied:
            self.event(replied - 60, "open", number, option)
        roll = self.rand()
        sentiment = "positive" if roll < 0.45 else "negative" if roll < 0.75 else "neutral"
        self.event(replied, "reply", number, option, sentiment)
        self.membership.replied, self.last = True, replied
        if sentiment == "positive":
            self.prospect.outcome = ("Interested", "Meeting Booked", "Won")[int(self.rand() * 3)]
        elif sentiment == "negative":
            self.prospect.outcome = ("Not Interested", "Bad Timing", "Lost")[int(self.rand() * 3)]

    def settle(self, status: str) -> None:
        """The membership's and the prospect's status once the steps are played."""
        membership, last = self.membership, self.last
        if status == IN_CADENCE:
            roll = self.rand()
            if roll < 0.12:
                status = membership.status = PAUSED
            elif roll < 0.2:
                status, membership.status = MANUALLY_STOPPED, STOPPED
                last = membership.ended = last + (self.now - last) * self.rand()
        elif status == COMPLETED:
            membership.status, membership.ended = COMPLETED, last
        else:
            membership.status, membership.ended = STOPPED, last
        self.prospect.status = status
        self.prospect.updated = max(self.prospect.updated, last)


def _seed_calls(state: KlentyState, rng: random.Random, now: float) -> None:
    rand = rng.random
    by_owner: dict[str, list[Prospect]] = {member: [] for member in state.team}
    for prospect in state.prospects.values():
        by_owner[prospect.owner].append(prospect)
    weights = [weight for _, weight, _ in DISPOSITIONS]
    today = now - now % DAY
    for member in state.team:
        candidates = by_owner[member]
        from_number = f"+1{US_AREA_CODES[int(rand() * 10)]}555{int(rand() * 10000):04d}"
        calls = []
        for days_back in range(30):
            day = today - days_back * DAY
            weekday = time.gmtime(day).tm_wday < 5
            for _ in range(rng.randint(12, 28) if weekday else rng.randint(0, 3)):
                # US business hours, in UTC.
                created = day + (13 + rand() * 9) * HOUR
                if created > now or not candidates:
                    continue
                prospect = candidates[int(rand() * len(candidates))]
                disposition, _, (low, high) = DISPOSITIONS[
                    rng.choices(range(len(DISPOSITIONS)), weights)[0]
                ]
                duration = rng.randint(low, high)
                call = _call(
                    state, rng, member, from_number, prospect, created, disposition, duration
                )
                calls.append((created, call))
        calls.sort(key=lambda pair: pair[0], reverse=True)
        state.calls[member] = calls


def _call(
    state: KlentyState,
    rng: random.Random,
    member: str,
    from_number: str,
    prospect: Prospect,
    created: float,
    disposition: str,
    duration: int,
) -> dict:
    # Some calls that never connected have no start time, as in the docs' sample.
    never_started = disposition in ("NOT_ANSWERED", "BUSY") and rng.random() < 0.5
    started = created + 1 + rng.random() * 2
    ended = started + duration + (rng.random() * 20 if never_started else 0)
    cadence_name = cadence_owner = ""
    for membership in prospect.memberships.values():
        cadence = state.cadences[membership.cadence_id]
        if any(step.type == "call" for step in cadence.steps):
            cadence_name, cadence_owner = cadence.name, cadence.owner
    notes = [rng.choice(CALL_NOTES)] if disposition in ("CONNECTED", "MEETING_BOOKED") else []
    phone = prospect.fields["Phone"]
    return {
        "username": member,
        "status": "COMPLETED",
        "endTime": iso(ended),
        "callSid": f"CA{rng.getrandbits(128):032x}",
        "disposition": disposition,
        "type": "OUTBOUND",
        "comments": [],
        "notes": notes,
        "prospectPhoneNo": phone,
        "fromNumber": from_number,
        "createdDate": iso(created, millis=True),
        "sharableLink": "https://app.klenty.example/api/call/getCallDetails/"
        f"{rng.getrandbits(160):040x}",
        "duration": duration,
        "startTime": None if never_started else iso(started),
        "purpose": "CALL",
        "toNumber": phone,
        "firstName": prospect.fields["FirstName"],
        "lastName": prospect.fields["LastName"],
        "fullName": prospect.fields["FullName"],
        "email": prospect.email,
        "primaryPhone": phone,
        "company": prospect.fields["Company"],
        "city": prospect.fields["City"],
        "country": prospect.fields["Country"],
        "tags": list(prospect.tags),
        "source": "Cadence" if cadence_name else "One off",
        "prospectOwner": prospect.owner,
        "list": state.lists[prospect.list_id].name,
        "outcome": "Meeting Booked" if disposition == "MEETING_BOOKED" else prospect.outcome,
        "cadenceOwner": cadence_owner,
        "name": cadence_name,
    }
