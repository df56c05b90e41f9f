"""Bad query strings: search filters, sorts, pages, ids and text that a search
engine could take for its own syntax. A filter that does not parse is dropped and
named on the page ("rejected"); odd text is searched for as text ("tolerated")."""

from __future__ import annotations

from tests.badinput.harness import REJECTED, TOLERATED, Case

HUGE = 10**20


def search(id: str, query: dict | str, expect: str = "rejected", who: str = "rep", **kw) -> Case:
    return Case(
        f"prospect search: {id}", who, "get", "prospects:search", query=query, expect=expect, **kw
    )


def text(id: str, q: str, who: str = "rep") -> Case:
    return search(f"text {id}", {"q": q}, TOLERATED, who=who)


SEARCH_TEXT = [
    text("a lone double quote", '"'),
    text("an unbalanced quote", 'ada"love'),
    text("a lone star", "*"),
    text("a star prefix", "*ada"),
    text("NEAR(", "NEAR("),
    text("NEAR with a distance", "NEAR(ada lovelace, 2)"),
    text("OR", "OR"),
    text("AND NOT", "ada AND NOT lovelace"),
    text("a lone minus", "-"),
    text("a minus prefix", "-ada"),
    text("a caret", "^ada"),
    text("column filter syntax", "email:ada"),
    text("braces", "{email first_name}:ada"),
    text("parentheses only", "(((("),
    text("SQL comment and drop", "'; DROP TABLE prospects_prospect; --"),
    text("SQL union", "' UNION SELECT password FROM accounts_user --"),
    text("LIKE wildcards", "%_%"),
    text("backslashes", "\\\\ada\\"),
    text("accented and CJK", "Zoë 日本語 Ünïcödé"),
    text("emoji", "🦄🔥"),
    text("a right-to-left override", "ada\u202elovelace"),
    text("zero-width joiners", "a\u200db\u200dc"),
    text("nine words and more", " ".join(f"w{i}" for i in range(40))),
    text("as a manager, FTS operators", 'ada* OR "love" NEAR(x)', who="manager"),
    search("text over 200 characters", {"q": "a" * 201}),
    search("text of 100,000 characters", {"q": "ab " * 33_334}),
    search("text with a NUL byte", {"q": "ada\x00"}),
]

SEARCH_FILTERS = [
    search("page -1", {"page": "-1"}),
    search("page 0", {"page": "0"}),
    search("page abc", {"page": "abc"}),
    search("page 10**20", {"page": str(HUGE)}, TOLERATED),
    search("page 1e3", {"page": "1e3"}),
    search("page with a fraction", {"page": "1.5"}),
    search("page size 7", {"per_page": "7"}),
    search("page size abc", {"per_page": "abc"}),
    search("page size -50", {"per_page": "-50"}),
    search("page size 10**20", {"per_page": str(HUGE)}),
    search("page size 10**20 with page 10**20", {"per_page": str(HUGE), "page": str(HUGE)}),
    search("page 10**20 of 200 a page", {"per_page": "200", "page": str(HUGE)}, TOLERATED),
    search("unknown sort", {"sort": "password"}),
    search("sort with SQL", {"sort": "name; DROP TABLE x"}),
    search("sort only a minus", {"sort": "-"}),
    search("sort with two minuses", {"sort": "--name"}),
    search("list abc", {"list": "abc"}),
    search("list -1", {"list": "-1"}),
    search("list 0", {"list": "0"}),
    search("list 10**20", {"list": str(HUGE)}),
    search("created from month 13", {"created_from": "2026-13-45"}),
    search("created from yesterday", {"created_from": "yesterday"}),
    search("created from year 0", {"created_from": "0000-00-00"}),
    search("created to a timestamp", {"created_to": "1e10"}),
    search("updated from year 10000", {"updated_from": "10000-01-01"}),
    search("updated to with SQL", {"updated_to": "2026-01-01' OR '1'='1"}),
    search(
        "created from after created to",
        {"created_from": "2026-12-31", "created_to": "2026-01-01"},
        TOLERATED,
    ),
    search(
        "the first and last dates",
        {"created_from": "0001-01-01", "created_to": "9999-12-31"},
        TOLERATED,
    ),
    search("status with a NUL byte", {"status": "Replied\x00"}),
    search("owner over 254 characters", {"owner": "o" * 255}),
    search("tag over 200 characters", {"tag": "t" * 201}),
    search("tag of LIKE wildcards", {"tag": "%|_"}, TOLERATED),
    search("company of LIKE wildcards", {"company": "%"}, TOLERATED),
    search("cadence over 255 characters", {"cadence": "c" * 256}),
    search("a parameter repeated 500 times", "q=ada&" * 500, TOLERATED),
    search("broken percent encoding", "q=%ZZ%&page=%", TOLERATED),
    search("invalid UTF-8 in the query", "q=%FF%FE%C0%AF", TOLERATED),
    search("unknown parameters", {"password": "x", "__class__": "y"}, TOLERATED),
    search(
        "every filter bad at once, as htmx",
        {"page": "x", "sort": "y", "list": "z", "created_from": "w"},
        htmx=True,
    ),
]


def get(
    id: str, url: str, query: dict | str, who: str = "rep", expect: str = TOLERATED, **kwargs
) -> Case:
    return Case(
        f"{url.split(':')[-1]}: {id}", who, "get", url, query=query, expect=expect, **kwargs
    )


OTHER_QUERIES = [
    # The command palette: whatever is typed, a JSON answer and never a 500.
    get("q of 5,000 characters", "palette", {"q": "ada " * 1250}),
    get("q of punctuation only", "palette", {"q": "\"*'%_()[]{}"}),
    get("q of FTS syntax", "palette", {"q": '"NEAR(* OR'}),
    get("q with a NUL byte", "palette", {"q": "ada\x00"}),
    get("q repeated", "palette", "q=a&q=b&q=c"),
    get("page -1", "prospects:export", {"page": "-1"}),
    get("FTS syntax", "prospects:export", {"q": '"NEAR(*'}),
    # A filter the search ignored would export more than the page showed: refused.
    get("list 10**20", "prospects:export", {"list": str(HUGE)}, expect=REJECTED),
    get(
        "bad dates",
        "prospects:export",
        {"created_from": "2026-02-30", "updated_to": "x"},
        expect=REJECTED,
    ),
    get("q over 200 characters", "prospects:export", {"q": "q" * 201}, expect=REJECTED),
    get("sort unknown", "prospects:export", {"sort": "salary"}),
    get("page not a number", "dedupe:pairs", {"page": "x"}),
    get("page beyond the last", "dedupe:pairs", {"page": str(HUGE)}, who="manager"),
    Case("dedupe merge: pair id beyond 64 bits", "manager", "get", "/duplicates/" + "9" * 30 + "/"),
    get("unknown range", "reporting:dashboard", {"range": "forever"}),
    get(
        "custom range at the first day",
        "reporting:dashboard",
        {"range": "custom", "start": "0001-01-01", "end": "0001-01-02"},
    ),
    get(
        "custom range at the last day",
        "reporting:dashboard",
        {"range": "custom", "start": "9999-12-30", "end": "9999-12-31"},
    ),
    get(
        "custom range of the whole calendar",
        "reporting:dashboard",
        {"range": "custom", "start": "0001-01-01", "end": "9999-12-31"},
    ),
    get("custom range without dates", "reporting:dashboard", {"range": "custom"}),
    get(
        "impossible dates",
        "reporting:dashboard",
        {"range": "custom", "start": "2026-02-30", "end": "2026-13-01"},
    ),
    get(
        "unknown cadence and rep",
        "reporting:dashboard",
        {"cadence": ["Nope", "'; --"], "rep": "mallory@evil.example"},
        who="manager",
    ),
    get("unknown sort", "reporting:dashboard", {"sort": "password"}),
    get("funnel over 255 characters", "reporting:dashboard", {"funnel": "f" * 256}),
    get(
        "as htmx with every filter bad",
        "reporting:dashboard",
        {"range": "x", "start": "y", "sort": "z"},
        htmx=True,
    ),
    get(
        "section with a bad sort",
        "reporting:section",
        {"sort": "-password"},
        kwargs={"name": "cadences"},
    ),
    get(
        "section at the first day",
        "reporting:section",
        {"range": "custom", "start": "0001-01-01", "end": "0001-01-01"},
        kwargs={"name": "engagement"},
    ),
    get(
        "csv at the first day",
        "reporting:csv",
        {"range": "custom", "start": "0001-01-01", "end": "0001-01-03"},
        kwargs={"name": "engagement"},
    ),
    get(
        "csv at the last day",
        "reporting:csv",
        {"range": "custom", "start": "9999-12-31", "end": "9999-12-31"},
        kwargs={"name": "calls_daily"},
    ),
    Case(
        "reporting section: unknown section",
        "rep",
        "get",
        "reporting:section",
        kwargs={"name": "salaries"},
    ),
    Case(
        "reporting csv: unknown chart", "rep", "get", "reporting:csv", kwargs={"name": "salaries"}
    ),
    Case(
        "failure detail: no such task",
        "admin",
        "get",
        "failure_detail",
        kwargs={"task_id": "x" * 300},
    ),
    Case(
        "refresh progress: no such refresh",
        "manager",
        "get",
        "cadences:refresh_progress",
        kwargs={"pk": 987654},
    ),
    Case("failure detail: path in the id", "admin", "get", "/failures/..%2F..%2Fsettings/"),
    get("unknown event type", "cadences:feed", {"type": "onCoffee", "owner": "o" * 300}),
    get("as htmx with SQL in the cadence", "cadences:feed", {"cadence": "' OR 1=1 --"}, htmx=True),
    get(
        "list 10**20 in the search",
        "cadences:add_search",
        {"list": str(HUGE), "target": "abc"},
        expect=REJECTED,
    ),
    get("page abc", "audit_log", {"page": "abc"}, who="manager"),
    get("page -1", "audit_log", {"page": "-1"}, who="manager"),
    get("page 10**20", "audit_log", {"page": str(HUGE)}, who="manager"),
    *[
        get(id, "audit_log", query, who="manager", expect=REJECTED)
        for id, query in [
            ("unknown service", {"service": "salesforce"}),
            ("unknown action", {"action": "'; DROP TABLE core_auditentry; --"}),
            ("user abc", {"user": "abc"}),
            ("user 10**20", {"user": str(HUGE)}),
            ("user -1", {"user": "-1"}),
            ("unknown outcome", {"outcome": "maybe"}),
            ("from month 13", {"date_from": "2026-13-45"}),
            ("to with SQL", {"date_to": "2026-01-01' OR '1'='1"}),
            ("from after to", {"date_from": "2026-12-31", "date_to": "2026-01-01"}),
            ("search over 200 characters", {"q": "a" * 201}),
            ("search with a NUL byte", {"q": "ada\x00"}),
        ]
    ],
    get("search with SQL and wildcards", "audit_log", {"q": "%_' OR 1=1 --"}, who="manager"),
    get(
        "export with an unknown outcome",
        "audit_log_export",
        {"outcome": "x"},
        who="manager",
        expect=REJECTED,
    ),
    get("query over 10,000 characters", "contacts:list", {"q": "q" * 10_000}),
    get("page abc", "contacts:list", {"page": "abc"}),
    get("list 10**20", "contacts:push_choose", {"list": str(HUGE)}),
    get("page 10**20", "contacts:push_choose", {"page": str(HUGE)}),
    get("not a domain", "enrichment:domain_search", {"domain": "not a domain"}, expect="rejected"),
    get(
        "domain over 253 characters",
        "enrichment:domain_search",
        {"domain": "a" * 250 + ".example"},
        expect="rejected",
    ),
    get(
        "javascript url",
        "enrichment:domain_search",
        {"domain": "javascript:alert(1)"},
        expect="rejected",
    ),
    get(
        "page 0",
        "enrichment:domain_search",
        {"domain": "brightforge.example", "page": "0"},
        expect="rejected",
    ),
    get(
        "page 501",
        "enrichment:domain_search",
        {"domain": "brightforge.example", "page": "501"},
        expect="rejected",
    ),
    get(
        "dates the wrong way round",
        "enrichment:campaigns",
        {"date_from": "2026-12-01", "date_to": "2026-01-01"},
        who="manager",
    ),
    get(
        "bad dates and an unknown tab",
        "enrichment:campaign",
        {"date_from": "yesterday", "tab": "__class__"},
        who="manager",
        kwargs={"campaign_id": 987654},
    ),
    get("not a domain", "enrichment:email_count", {"domain": "' OR 1=1 --"}),
    get("domain over 253 characters", "enrichment:email_count", {"domain": "a" * 300}),
    get("a key over 64 characters", "enrichment:search_progress", {"key": "k" * 10_000}),
    get("a made-up key", "enrichment:search_progress", {"key": "k" * 32}),
    get("no id", "enrichment:list_prospect", {"id": ""}, who="manager", expect="rejected"),
    get(
        "page abc of no such list",
        "enrichment:snov_list",
        {"page": "abc"},
        who="manager",
        expect="rejected",
        kwargs={"list_id": 987654},
    ),
    Case(
        "prospect detail: no such prospect", "rep", "get", "prospects:detail", kwargs={"pk": 987654}
    ),
    Case(
        "prospect detail: another rep's prospect",
        "rep",
        "get",
        "prospects:detail",
        kwargs={"pk": "@other_prospect"},
    ),
    Case("prospect detail: id not a number", "rep", "get", "/prospects/abc/"),
    Case("prospect detail: id beyond 64 bits", "rep", "get", "/prospects/100000000000000000000/"),
    Case("bulk job: id beyond 64 bits", "rep", "get", "/prospects/jobs/100000000000000000000/"),
    Case(
        "bulk job results: no such job",
        "rep",
        "get",
        "prospects:job_results",
        kwargs={"pk": 987654},
    ),
    Case("cadence: id beyond 64 bits", "rep", "get", "/cadences/100000000000000000000/"),
    Case("transfer: id beyond 64 bits", "rep", "get", "/contacts/transfers/100000000000000000000/"),
    Case(
        "verification run: id beyond 64 bits",
        "rep",
        "get",
        "/enrichment/verify-prospects/100000000000000000000/",
    ),
    Case("report email: id beyond 64 bits", "rep", "get", "/reports/emails/100000000000000000000/"),
    Case(
        "report unsubscribe: a token with SQL, by GET",
        "anon",
        "get",
        "reporting:unsubscribe",
        kwargs={"token": "' OR 1=1 --"},
    ),
]

# Pages that read no parameters ignore whatever a link or a scanner adds.
JUNK = {"page": "<script>alert(1)</script>", "q": "' OR 1=1 --", "id": str(HUGE)}
PAGES_WITHOUT_PARAMETERS = [
    ("home", "rep"),
    ("api_health", "admin"),
    ("system", "admin"),
    ("cadences:list", "rep"),
    ("cadences:webhooks", "admin"),
    ("contacts:transfers", "rep"),
    ("prospects:jobs", "rep"),
    ("prospects:sync_status", "rep"),
    ("reporting:pulls", "manager"),
    ("reporting:deliverability", "rep"),
    ("reporting:answer_times", "rep"),
    ("password_change_done", "rep"),
]
IGNORED = [get("junk parameters", url, JUNK, who=who) for url, who in PAGES_WITHOUT_PARAMETERS]
NOT_FOUND = [
    Case(f"{url.split(':')[-1]}: no such {what}", "rep", "get", url, kwargs={"pk": 987654})
    for url, what in [
        ("cadences:steps", "cadence"),
        ("prospects:job_progress", "job"),
        ("contacts:transfer_progress", "transfer"),
        ("reporting:pull_progress", "pull"),
    ]
]

# More fields than Django parses (DATA_UPLOAD_MAX_NUMBER_FIELDS): a plain 400, and under
# DEBUG too (tests/badinput/test_query_strings.py runs these again with DEBUG on).
TOO_MANY_FIELDS = "&".join(f"f{n}=1" for n in range(1200))
TOO_MANY = [
    get("1,200 parameters", url, TOO_MANY_FIELDS, who, "rejected", shows="more than 1,000")
    for url, who in [
        ("prospects:search", "rep"),
        ("prospects:export", "manager"),
        ("reporting:dashboard", "manager"),
        ("cadences:feed", "rep"),
        ("login", "anon"),
    ]
]

TIMELINE_AND_EXPERIMENT_QUERIES = [
    get(
        "older cursor junk", "prospects:timeline", {"older": "junk"}, kwargs={"pk": "@rep_prospect"}
    ),
    get(
        "older cursor of a far future",
        "prospects:timeline",
        {"older": "9999999999999999999999:1"},
        kwargs={"pk": "@rep_prospect"},
        htmx=True,
    ),
    Case(
        "prospect timeline: another rep's prospect",
        "rep",
        "get",
        "prospects:timeline",
        kwargs={"pk": "@other_prospect"},
    ),
    get(
        "one arm",
        "reporting:experiments",
        {"kind": "cadences", "arm": "New Leads"},
        "manager",
        expect=REJECTED,
    ),  # fmt: skip
    get(
        "the same arm twice",
        "reporting:experiments",
        "kind=cadences&arm=New+Leads&arm=New+Leads",
        "manager",
        expect=REJECTED,
    ),
    get(
        "an unknown arm",
        "reporting:experiments",
        {"kind": "cadences", "arm": ["x", "y"]},
        "manager",
        expect=REJECTED,
    ),  # fmt: skip
    get(
        "an unknown kind and metric",
        "reporting:experiments",
        {"kind": "z", "metric": "q"},
        "manager",
        expect=REJECTED,
    ),  # fmt: skip
    get(
        "a step that is not one",
        "reporting:experiments",
        {"kind": "steps", "test": "abc"},
        "manager",
        expect=REJECTED,
    ),  # fmt: skip
]

SCORECARD_QUERIES = [
    get("unknown period", "reporting:scorecards", {"period": "fortnight"}, expect=REJECTED),
    get(
        "custom range reversed",
        "reporting:scorecards",
        {"period": "custom", "start": "2026-12-05", "end": "2026-12-01"},
        expect=REJECTED,
    ),
    get(
        "custom range over a year",
        "reporting:scorecards",
        {"period": "custom", "start": "2024-01-01", "end": "2026-12-01"},
        who="manager",
        expect=REJECTED,
    ),
    get(
        "custom range at the first day",
        "reporting:scorecards",
        {"period": "custom", "start": "0001-01-01", "end": "0001-01-02"},
        expect=REJECTED,
    ),
    get(
        "custom range without dates", "reporting:scorecards", {"period": "custom"}, expect=REJECTED
    ),
    get(
        "an impossible day",
        "reporting:scorecards",
        {"period": "month", "on": "2026-02-30"},
        expect=REJECTED,
    ),
]

# The outcome funnel reads the reports' filters (ReportFilters): dates that do not parse
# or lie outside the calendar are named on the page, the rest is dropped.
FUNNEL_QUERIES = [
    get(
        "custom range reversed",
        "reporting:funnel",
        {"range": "custom", "start": "2026-03-10", "end": "2026-03-01"},
        expect=REJECTED,
        shows="The end date is before the start date.",
    ),
    get(
        "custom range at the first day",
        "reporting:funnel",
        {"range": "custom", "start": "0001-01-01", "end": "0001-01-02"},
        expect=REJECTED,
    ),
    get(
        "impossible dates",
        "reporting:funnel",
        {"range": "custom", "start": "2026-02-30", "end": "2026-13-01"},
        expect=REJECTED,
    ),
    get("unknown range", "reporting:funnel", {"range": "forever"}),
    get(
        "no such table",
        "reporting:health_csv",
        {"range": "forever"},
        kwargs={"name": "no-such-table"},
        expect=REJECTED,
    ),
    get("custom range without dates", "reporting:funnel", {"range": "custom"}),
    get(
        "unknown cadence and rep",
        "reporting:funnel",
        {"cadence": ["Nope", "'; --"], "rep": "mallory@evil.example"},
        who="manager",
    ),
    get(
        "a rep asking for another rep",
        "reporting:funnel",
        {"rep": "diego.alvarez@northwind.example"},
    ),
    get(
        "as htmx with every filter bad",
        "reporting:funnel",
        {"range": "x", "start": "y", "end": "z"},
        htmx=True,
    ),
]

CASES = (
    FUNNEL_QUERIES
    + SCORECARD_QUERIES
    + TIMELINE_AND_EXPERIMENT_QUERIES
    + SEARCH_TEXT
    + SEARCH_FILTERS
    + OTHER_QUERIES
    + IGNORED
    + NOT_FOUND
    + TOO_MANY
)
