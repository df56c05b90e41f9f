"""The Duplicates page, the merge page, and merging many pairs at once."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_q.tasks import async_task

from dedupe import finding, merging
from dedupe.forms import MergeForm, MergeManyForm
from dedupe.models import LastLook
from klentyadmin.accounts.roles import any_role, manager_required
from klentyadmin.core import once

PAGE_SIZE = 50


@require_GET
@any_role
def pairs(request):
    page = Paginator(finding.pairs_visible_to(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(pair, merging.pair_reasons(pair)) for pair in page]
    context = {
        "page": page,
        "rows": rows,
        "look": LastLook.objects.first(),
        "form": MergeManyForm(),
        "merged_tag": merging.MERGED_TAG,
    }
    return render(request, "dedupe/pairs.html", context)


@require_POST
@manager_required
def look_again(request):
    # Half a minute at a million prospects (bench/duplicates.py): the worker does it.
    async_task("dedupe.finding.scheduled_look")
    messages.success(
        request, "Looking for duplicates again in the background; reload this page in a minute."
    )
    return redirect("dedupe:pairs")


@require_http_methods(["GET", "POST"])
@any_role
@once.replays_earlier_result
def merge(request, pk: int):
    pair = get_object_or_404(finding.pairs_visible_to(request.user), pk=pk)
    form = MergeForm(request.POST if request.method == "POST" else None, pair=pair)
    if request.method == "POST" and form.is_valid():
        kept_side = form.cleaned_data["keep"]
        kept = getattr(pair, kept_side)

        def start() -> str:
            plan = merging.plan_for(pair, kept_side, form.choices)
            job = merging.start_merge(
                user=request.user,
                plans={kept.prospect_id: plan},
                description=f"Merge {plan['other_email'] or 'a record'} into {kept.email}",
            )
            messages.success(request, f"Merging into {kept.email}.")
            return job.get_absolute_url()

        return once.send_once(request, form.cleaned_data[once.FIELD], start)
    context = {"pair": pair, "form": form, "reasons": merging.pair_reasons(pair)}
    context["merged_tag"] = merging.MERGED_TAG
    context["left_label"] = merging.Side(pair.left).label
    context["right_label"] = merging.Side(pair.right).label
    return render(request, "dedupe/merge.html", context, status=400 if form.errors else 200)


@require_POST
@any_role
@once.replays_earlier_result
def merge_many(request):
    form = MergeManyForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("dedupe:pairs")
    chosen = finding.pairs_visible_to(request.user).filter(pk__in=form.cleaned_data["pair"])
    plans, skipped, used = {}, 0, set()
    for pair in chosen:
        sides = merging.keepable(pair)
        people = {pair.left.prospect_id, pair.right.prospect_id} - {None}
        # A prospect in two ticked pairs is merged once; its other pair waits its turn.
        if not sides or people & used:
            skipped += 1
            continue
        used |= people
        kept_side, choices = merging.default_choices(pair)
        plans[getattr(pair, kept_side).prospect_id] = merging.plan_for(pair, kept_side, choices)
    if not plans:
        messages.error(request, "Tick at least one pair you may merge.")
        return redirect("dedupe:pairs")

    def start() -> str:
        count = len(plans)
        job = merging.start_merge(
            user=request.user,
            plans=plans,
            description=f"Merge {count} duplicate pair{pluralize(count)}",
        )
        note = f"Merging {count} pair{pluralize(count)}"
        if skipped:
            note += (
                f"; {skipped} pair{pluralize(skipped)} sharing a prospect with another "
                f"{pluralize(skipped, 'was,were')} left for later"
            )
        messages.success(request, note + ".")
        return job.get_absolute_url()

    return once.send_once(request, form.cleaned_data[once.FIELD], start)
