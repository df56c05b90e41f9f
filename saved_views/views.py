"""Saved views' pages: the list, save, open, rename, delete, share, pin, and defaults.

Access, always on the server: a view nobody may see is a 404 (another person's
private view), a view one may see but not change is a 403 (a colleague's shared
view); only the owner renames or deletes, and only an owner who is a Manager or
an Admin shares.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from klentyadmin.accounts.roles import admin_required, any_role, manager_required
from klentyadmin.core.confirm import ask_first
from prospects.selection import InvalidSelection
from prospects.views.search import search as prospects_page
from saved_views.forms import DefaultViewsForm, RenameForm, SaveViewForm
from saved_views.models import MAX_PINNED, PinnedView, SavedView, Visibility
from saved_views.searches import apply_view, matching_count, normalised_query

LIST = "saved_views:list"


def visible_view(request: HttpRequest, pk: int) -> SavedView:
    views = SavedView.objects.visible_to(request.user).select_related("owner")
    return get_object_or_404(views, pk=pk)


def own_view(request: HttpRequest, pk: int) -> SavedView:
    view = visible_view(request, pk)
    if not view.can_edit(request.user):
        raise PermissionDenied("Only the person who saved this view can change it.")
    return view


@require_GET
@any_role
def view_list(request: HttpRequest):
    user = request.user
    views = list(SavedView.objects.visible_to(user).select_related("owner"))
    pinned = set(PinnedView.objects.filter(user=user).values_list("view_id", flat=True))
    context = {
        "mine": [v for v in views if v.owner_id == user.pk],
        "shared": [v for v in views if v.owner_id != user.pk],
        "pinned": pinned,
        "defaults_form": DefaultViewsForm() if user.is_admin else None,
    }
    return render(request, "saved_views/list.html", context)


@require_http_methods(["GET", "POST"])
@any_role
def create(request: HttpRequest):
    if request.method == "POST":
        form = SaveViewForm(request.POST, owner=request.user)
        if form.is_valid() and (view := form.save()):
            messages.success(request, f"Saved the view “{view.name}”.")
            return redirect("saved_views:open", pk=view.pk)
    else:
        form = SaveViewForm(owner=request.user, initial={"query": request.GET.get("query", "")})
    return render(request, "saved_views/save.html", {"form": form})


@require_GET
@any_role
def open_view(request: HttpRequest, pk: int):
    return apply_view(request, visible_view(request, pk), prospects_page)


@require_http_methods(["GET", "POST"])
@any_role
def rename(request: HttpRequest, pk: int):
    view = own_view(request, pk)
    old_name = view.name
    form = RenameForm(request.POST if request.method == "POST" else None, view=view)
    if request.method == "POST" and form.is_valid() and form.save():
        messages.success(request, f"Renamed “{old_name}” to “{view.name}”.")
        return redirect(LIST)
    view.name = old_name
    return render(request, "saved_views/rename.html", {"form": form, "view": view})


@require_POST
@any_role
def update_search(request: HttpRequest, pk: int):
    """The owner keeps the search now on the page (another sort, a narrower filter) as the view's."""
    view = own_view(request, pk)
    try:
        view.query = normalised_query(request.POST.get("query", ""))
    except InvalidSelection as error:
        messages.error(request, f"The view was not changed: {error}")
        return redirect("saved_views:open", pk=view.pk)
    view.save(update_fields=["query", "updated_at"])
    messages.success(request, f"Saved the changes to “{view.name}”.")
    return redirect("saved_views:open", pk=view.pk)


@require_POST
@any_role
def delete(request: HttpRequest, pk: int):
    view = own_view(request, pk)
    question = f"Delete the view “{view.name}”?"
    consequence = (
        "Everyone who pinned it loses it, and a role that opens with it opens with all prospects."
        if view.is_shared
        else "Its search is forgotten; the prospects stay."
    )
    if asking := ask_first(request, question, consequence, LIST):
        return asking
    view.delete()
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect(LIST)


@require_POST
@manager_required
def share(request: HttpRequest, pk: int):
    view = visible_view(request, pk)
    if not view.can_share(request.user):
        raise PermissionDenied("Only the person who saved this view can share it.")
    shared = request.POST.get("visibility") == Visibility.SHARED
    with transaction.atomic():
        view.visibility = Visibility.SHARED if shared else Visibility.PERSONAL
        view.save(update_fields=["visibility", "updated_at"])
        if not shared:
            # Nobody else may see it now: their pins and a role's default go.
            view.pins.exclude(user=view.owner).delete()
            view.defaults.all().delete()
    if shared:
        messages.success(request, f"“{view.name}” is shared with the team.")
    else:
        messages.success(request, f"“{view.name}” is a private view again: only you see it.")
    return redirect(LIST)


@require_POST
@any_role
def pin(request: HttpRequest, pk: int):
    view = visible_view(request, pk)
    user = request.user
    if request.POST.get("pinned") != "yes":
        PinnedView.objects.filter(user=user, view=view).delete()
        messages.success(request, f"Unpinned “{view.name}”.")
    elif PinnedView.objects.filter(user=user).count() >= MAX_PINNED:
        messages.error(request, f"You can pin up to {MAX_PINNED} views: unpin one first.")
    else:
        PinnedView.objects.get_or_create(user=user, view=view)
        messages.success(request, f"Pinned “{view.name}” to the menu.")
    return redirect(LIST)


@require_GET
@any_role
def pinned(request: HttpRequest):
    """The navigation's pinned views, each with its count, computed now: one query for
    the pins and one COUNT per pinned view (at most MAX_PINNED)."""
    user = request.user
    pins = (
        PinnedView.objects.filter(user=user, view__in=SavedView.objects.visible_to(user))
        .select_related("view")
        .order_by("created_at", "id")[:MAX_PINNED]
    )
    items = [(pin.view, matching_count(pin.view, user)) for pin in pins]
    return render(request, "saved_views/pinned.html", {"items": items})


@require_POST
@admin_required
def defaults(request: HttpRequest):
    form = DefaultViewsForm(request.POST)
    if form.is_valid():
        form.save(request.user)
        messages.success(request, "Saved the default views.")
        return redirect(LIST)
    for field, errors in form.errors.items():
        messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
    return redirect(LIST)
