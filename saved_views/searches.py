"""A saved view's search: how it is stored, counted and applied to the prospects page.

A view stores the prospects page's query string, normalised: the parameters the
prospects search knows (`ProspectSearch`) are parsed and spelled by it, and any
other parameter of the page (sort, page size, columns, whatever the page grows)
is kept as it was given, so a view holds whatever the page's URL holds. Only the
page number is dropped: a view starts on page one.

A view is applied by handing the prospects page's own view the stored
parameters, so the page, its scoping to what the user may see (`visible_to`) and
its refusals stay the prospects app's. A stored filter that no longer parses is
refused (`checked_search`), never dropped: the view opens with the error and no
rows rather than with more prospects than it was saved with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import wraps

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from klentyadmin.accounts.models import Role
from prospects.search import COUNT_LIMIT, ProspectSearch
from prospects.selection import InvalidSelection, checked_search
from saved_views.models import QUERY_MAX, RoleDefaultView, SavedView, Visibility

# Parameters that are not part of what a view shows.
NOT_STORED = {"page", "csrfmiddlewaretoken"}
KNOWN = {f.name for f in fields(ProspectSearch)}


class QueryTooLong(InvalidSelection):
    pass


def normalised_query(params: QueryDict | str) -> str:
    """The query string a view stores for `params`; InvalidSelection if a filter does not parse."""
    if isinstance(params, str):
        params = QueryDict(params)
    search = checked_search(params)
    query = QueryDict(mutable=True)
    for name, value in search.params(page=1).items():
        query[name] = value
    for name in sorted(set(params) - KNOWN - NOT_STORED):
        values = [value for value in params.getlist(name) if value != ""]
        if values:
            query.setlist(name, values)
    text = query.urlencode()
    if len(text) > QUERY_MAX:
        raise QueryTooLong("This search is too long to save.")
    return text


def matching_count(view: SavedView, user) -> tuple[int, bool] | None:
    """How many of the prospects `user` may see match `view`, in one COUNT stopping at
    COUNT_LIMIT, and whether it stopped there; None (no query) when its filters no
    longer parse."""
    try:
        search = checked_search(view.query)
    except InvalidSelection:
        return None
    found = search.queryset(user).order_by()[: COUNT_LIMIT + 1].count()
    return min(found, COUNT_LIMIT), found > COUNT_LIMIT


@dataclass(frozen=True)
class AppliedView:
    """The view the prospects page is showing, for its header."""

    view: SavedView
    user: object
    default_for: str = ""  # the role's label when it opened as the role's default
    changed: bool = False  # the URL changed something of the view (another sort, say)

    @property
    def visibility_label(self) -> str:
        return Visibility(self.view.visibility).label

    @property
    def whose(self) -> str:
        return self.view.whose(self.user)

    @property
    def can_edit(self) -> bool:
        return self.view.can_edit(self.user)


def role_of(user) -> str:
    return Role.ADMIN if user.is_superuser else user.role


def default_view_for(user) -> SavedView | None:
    """The shared view set as the default for the user's role, in one query."""
    row = (
        RoleDefaultView.objects.filter(role=role_of(user), view__visibility=Visibility.SHARED)
        .select_related("view__owner")
        .first()
    )
    return row.view if row else None


def apply_view(
    request: HttpRequest, view: SavedView, page_view: Callable, *, default: bool = False
) -> HttpResponse:
    """The prospects page (`page_view`) with `view` applied; the URL's own parameters
    (the page number, or a sort from a column header) win over the stored ones."""
    params = view.params()
    for name, values in request.GET.lists():
        params.setlist(name, values)
    default_for = Role(role_of(request.user)).label if default else ""
    try:
        changed = normalised_query(params) != view.query
    except InvalidSelection as error:
        applied = AppliedView(view, request.user, default_for)
        search = ProspectSearch.from_params(params)
        context = {"applied": applied, "error": str(error), "search": search}
        template = "saved_views/broken.html"
        if request.htmx and not request.htmx.boosted:
            template += "#view_error"  # in place of the results, as the page's own fragment
        return render(request, template, context)
    request.GET = QueryDict(params.urlencode())  # read-only, as Django's own
    request.saved_view = AppliedView(view, request.user, default_for, changed)
    return page_view(request)


def applies_role_default(page_view: Callable) -> Callable:
    """The prospects page opened with no query string opens the role's default view,
    when an Admin has set one."""

    @wraps(page_view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.GET and not hasattr(request, "saved_view"):
            view = default_view_for(request.user)
            if view is not None:
                return apply_view(request, view, page_view, default=True)
        return page_view(request, *args, **kwargs)

    return wrapper
