"""Every page at 1280 and 1400 px, as an Admin and as a Rep, on synced sandbox data:
nothing is wider than the window.

The pages are found from the URL configuration (every route without URL arguments
that answers a GET with an HTML page), plus a prospect, a bulk job and a cadence, so
a new page is checked without anyone adding it here. The failure lists every page
that overflows, with its width and the widest elements, rather than the first one.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cadences.models import Cadence
from cadences.sync import refresh_cadences
from contacts.models import Transfer
from klentyadmin.accounts.models import User
from klentyadmin.core.models import AuditEntry, Service
from prospects import bulk, sync
from prospects.models import BulkAction, Prospect
from tests.core.test_route_access import PUBLIC, ROUTES
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser

WIDTHS = (1280, 1400)
# Routes without arguments that are not pages to look at: signing out, downloads.
NOT_PAGES = {"logout", "account_logout", "mfa_download_recovery_codes", "sign_out_everywhere"}
# The innermost elements that stick out past the window's right edge, for the message.
OVERFLOWING = """() => {
    const out = (e) => e.getBoundingClientRect().left + e.scrollWidth > window.innerWidth + 1;
    return [...document.querySelectorAll("body *")]
      .filter((e) => out(e) && ![...e.children].some(out))
      .slice(0, 3)
      .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
}"""


def page_urls_without_arguments() -> list[str]:
    urls = []
    for route in ROUTES:
        if route.kwargs or route.name in PUBLIC or route.name in NOT_PAGES:
            continue
        if getattr(route.callback, "serves_csv", False):
            continue
        urls.append(route.url)
    return sorted(set(urls))


# What real data holds and a page must wrap rather than widen for: a vendor's long
# answer in one word, a company with a long name, a prospect with many tags.
LONG_WORD = "answer-" + "x" * 180
LONG_COMPANY = "Northwind Renewable Energy Infrastructure and Grid Modernisation Holdings"
LONG_EMAIL = "alexandra.konstantinopoulou-vanderberghe@renewable-infrastructure.example"


@pytest.fixture
def seeded(sandbox, settings, demo_users):
    """The sandbox's team synced in, its cadences refreshed, one bulk job done, and a
    few long values planted where they are shown."""
    settings.KLENTY_RATE_LIMIT_PER_MIN = settings.SNOV_RATE_LIMIT_PER_MIN = 100_000
    settings.CRM_RATE_LIMIT_PER_MIN = 100_000
    settings.API_BACKOFF_BASE, settings.API_BACKOFF_CAP = 0.01, 0.05
    settings.KLENTY_SYNC_HISTORY_DAYS = 185
    sandbox.reset(prospects=400)
    sandbox.configure(rate_limit_per_min=0)
    run = sync.run_sync("full", slice_seconds=None)
    assert run.status == "done", run.errors
    refresh_cadences()
    rep = User.objects.get(username="rep")
    own = Prospect.objects.visible_to(rep)
    job = bulk.create_job(
        user=rep,
        action=BulkAction.ADD_TAGS,
        params={"tags": ["width-check"]},
        prospect_ids=list(own.values_list("pk", flat=True)[:3]),
        description=f"Add tag width-check to {LONG_COMPANY}",
    )
    job.items.filter(pk=job.items.first().pk).update(state="failed", message=LONG_WORD)
    long_one = own.first()
    long_one.email, long_one.company, long_one.title = LONG_EMAIL, LONG_COMPANY, LONG_COMPANY
    long_one.tags = [f"tag-{n}-{LONG_COMPANY.split()[n % 8]}" for n in range(12)]
    long_one.save()
    AuditEntry.objects.create(
        actor_name="manager",
        service=Service.KLENTY,
        action="add_prospects_to_list_with_a_long_name",
        target=f"list:{LONG_WORD}",
        ok=False,
        result=LONG_WORD,
    )
    long_one.custom_fields = {"Notes from the last call": LONG_WORD}
    long_one.save()
    transfer = Transfer.objects.create(
        direction=Transfer.Direction.TO_CRM,
        created_by=rep,
        status=Transfer.Status.FAILED,
        description=f"Push 3 prospects of {LONG_COMPANY} to the CRM",
        error=f"The CRM answered: {LONG_WORD}",
        finished_at=timezone.now(),
    )
    return {
        "transfer": transfer,
        "prospect": long_one,
        "job": job,
        "cadence": Cadence.objects.filter(owners_text__contains=rep.klenty_email).first()
        or Cadence.objects.first(),
    }


def overflowing_pages(page, urls: list[str]) -> tuple[list[str], list[str]]:
    """(pages checked, pages wider than the window), each "url @ width"."""
    checked, wide = [], []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            # Asked first without the browser: a POST-only route (405) or a refusal for
            # this role (403) is not a page to look at, and an empty 405 stops goto().
            # An HTMX fragment (the email count, the pinned views) is part of a page.
            answer = page.request.get(url, max_redirects=0)
            if answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
                continue
            if "<html" not in answer.text()[:500].lower():
                continue
            page.goto(url)
            page.wait_for_load_state("networkidle")
            checked.append(f"{url} @ {width}")
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner:
                culprits = ", ".join(page.evaluate(OVERFLOWING))
                wide.append(f"{url} @ {width}: {scroll - inner} px too wide ({culprits})")
    return checked, wide


PASSWORDS = {"admin": "klenty-admin", "rep": "klenty-rep"}
# Home (the cockpit) and the prospects list (the dense table) have a test of their own,
# as they were rewritten on their own branches.
REWRITTEN_ELSEWHERE = {reverse("home"), reverse("prospects:search")}


def pages_for(seeded) -> list[str]:
    return page_urls_without_arguments() + [
        reverse("prospects:detail", args=[seeded["prospect"].pk]),
        reverse("prospects:job", args=[seeded["job"].pk]),
        reverse("cadences:detail", args=[seeded["cadence"].pk]),
        reverse("contacts:transfer", args=[seeded["transfer"].pk]),
    ]


@pytest.mark.parametrize("username", ["admin", "rep"])
def test_no_page_is_wider_than_the_window(page, seeded, username):
    sign_in(page, username, PASSWORDS[username])
    urls = [url for url in pages_for(seeded) if url not in REWRITTEN_ELSEWHERE]

    checked, wide = overflowing_pages(page, urls)

    print(f"\n{username}: {len(checked)} pages checked:\n  " + "\n  ".join(checked))
    # Every page a role may open was looked at, at both widths (a sign that the
    # pages were found and answered, not skipped).
    assert len(checked) >= 2 * {"admin": 35, "rep": 25}[username], checked
    assert wide == [], f"{username}: pages wider than the window:\n  " + "\n  ".join(wide)


@pytest.mark.parametrize("username", ["admin", "rep"])
def test_home_and_the_prospects_list_fit_the_window(page, seeded, username):
    sign_in(page, username, PASSWORDS[username])

    checked, wide = overflowing_pages(page, sorted(REWRITTEN_ELSEWHERE))

    assert len(checked) == 2 * len(REWRITTEN_ELSEWHERE), checked
    assert wide == [], f"{username}: pages wider than the window:\n  " + "\n  ".join(wide)
