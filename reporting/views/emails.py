"""Report email subscriptions: create, change, delete, "Send me a test now", history,
and the unsubscribe link from the emails themselves."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from klentyadmin.accounts.models import User
from klentyadmin.accounts.roles import any_role
from klentyadmin.core.confirm import ask_first
from klentyadmin.integrations.klenty.target import klenty_target
from reporting import emails, scope
from reporting.forms import SubscriptionForm
from reporting.models import ReportDelivery, ReportSubscription

HISTORY = 30


def team_emails() -> set[str]:
    """Who may receive a report: the Klenty team and the dashboard's users."""
    users = User.objects.filter(is_active=True).values_list("email", "klenty_email")
    known = {e.lower() for pair in users for e in pair if e}
    return known | set(klenty_target().team_emails)


def own_subscription(request, pk: int) -> ReportSubscription:
    return get_object_or_404(ReportSubscription, pk=pk, user=request.user)


def subscription_form(request, data=None, **kwargs) -> SubscriptionForm:
    """The form with the report page's controls, offering what this user may choose."""
    user = request.user
    return SubscriptionForm(
        data,
        team_emails=team_emails() if data is not None else (),
        user=user,
        cadences=scope.cadence_names(user),
        reps=klenty_target().team_emails if user.is_manager_or_admin else (),
        **kwargs,
    )


def filters_summary(query: str, user, cadences: list[str] | None = None) -> str:
    """The filters a subscription will use, in words, as the report page reads them."""
    return scope.report_filters(user, QueryDict(query or ""), cadences=cadences).summary()


def page(request, form: SubscriptionForm, editing: ReportSubscription | None = None):
    subscriptions = list(ReportSubscription.objects.filter(user=request.user))
    cadences = scope.cadence_names(request.user)
    history = list(
        # By user, not by subscription: a deleted subscription's emails stay in the history.
        ReportDelivery.objects.filter(user=request.user).select_related("subscription")[:HISTORY]
    )
    context = {
        "form": form,
        "editing": editing,
        "subscriptions": [
            (s, filters_summary(s.filters, request.user, cadences)) for s in subscriptions
        ],
        "history": history,
        "filters_summary": filters_summary(form.filters_query(), request.user),
    }
    return render(request, "reporting/emails.html", context)


@require_http_methods(["GET", "POST"])
@any_role
def subscriptions(request):
    """The list, and the form for a new subscription (filters from the report's URL)."""
    if request.method == "POST":
        form = subscription_form(request, request.POST)
        if form.is_valid():
            subscription = form.save(commit=False)
            subscription.user = request.user
            subscription.unsubscribe_token = emails.new_token()
            emails.schedule(subscription)
            subscription.save()
            messages.success(request, "Subscribed. The first report goes out at its hour.")
            return redirect("reporting:emails")
        return page(request, form)
    initial = {"filters": request.GET.get("filters", ""), "time_zone": "UTC"}
    return page(request, subscription_form(request, initial=initial))


@require_http_methods(["GET", "POST"])
@any_role
def edit_subscription(request, pk: int):
    subscription = own_subscription(request, pk)
    form = subscription_form(request, request.POST or None, instance=subscription)
    if request.method == "POST" and form.is_valid():
        subscription = form.save(commit=False)
        subscription.active = True
        emails.schedule(subscription)
        subscription.save()
        messages.success(request, "Saved.")
        return redirect("reporting:emails")
    return page(request, form, editing=subscription)


@require_POST
@any_role
def delete_subscription(request, pk: int):
    subscription = own_subscription(request, pk)
    if asking := ask_first(
        request,
        f"Delete the {subscription.get_report_display().lower()} report email?",
        "It stops being sent; the emails it sent stay in the history.",
        "reporting:emails",
    ):
        return asking
    subscription.delete()
    messages.success(request, "The subscription is deleted.")
    return redirect("reporting:emails")


@require_POST
@any_role
def send_test(request, pk: int):
    emails.queue_test(own_subscription(request, pk))
    messages.success(request, "A test email is on its way; it appears in the history below.")
    return redirect("reporting:emails")


@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """From the email's link: GET asks, POST stops (mail scanners follow GETs)."""
    subscription = ReportSubscription.objects.filter(unsubscribe_token=token).first()
    if subscription is None:
        raise Http404("This unsubscribe link is not valid any more.")
    if request.method == "POST":
        subscription.active = False
        subscription.save(update_fields=["active"])
        return render(request, "reporting/unsubscribed.html", {"subscription": subscription})
    return render(request, "reporting/unsubscribe.html", {"subscription": subscription})
