"""Managing Klenty webhooks: our local copy, the calls that change Klenty's, and drift.

Every change goes to Klenty first and is recorded here only once Klenty accepted
it, so a failed call leaves both sides as they were. What Klenty lists
(`webhook/getall`) is compared with our copy to show webhooks created or
deleted elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cadences.models import WebhookSubscription, new_token
from klentyadmin.integrations.klenty import WEBHOOK_EVENTS, KlentyClient, Webhook
from klentyadmin.integrations.klenty.target import klenty_target
from klentyadmin.lib.hook_tokens import redact_hook_tokens


class NoPublicUrl(Exception):
    """PUBLIC_BASE_URL is unset (or local while the target is the real Klenty), so
    Klenty could not reach the receiver."""

    def __init__(self, local: bool = False):
        super().__init__()
        self.local = local

    def __str__(self) -> str:
        if self.local:
            return (
                f"PUBLIC_BASE_URL is {settings.PUBLIC_BASE_URL}, which Klenty cannot reach: "
                "set it to this dashboard's public address (e.g. https://klentyadmin.example.com)."
            )
        return (
            "Set PUBLIC_BASE_URL to the address Klenty can reach this dashboard at "
            "(e.g. https://klentyadmin.example.com) before subscribing it to events."
        )


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == "localhost" or host.startswith("127.") or host == "::1"


def receiver_url(token: str) -> str:
    """Where Klenty should deliver; a local address only serves the local sandbox."""
    base = settings.PUBLIC_BASE_URL
    if not base:
        raise NoPublicUrl
    if is_loopback(base) and not klenty_target().sandbox:
        raise NoPublicUrl(local=True)
    return base + reverse("hooks:klenty", args=[token])


def add_webhook(client: KlentyClient, *, event: str, url: str = "", user=None):
    """Registers a webhook; without a URL it points at this dashboard's receiver."""
    token = None
    if not url:
        token = new_token()
        url = receiver_url(token)
    created = client.add_webhook(event, url)
    return WebhookSubscription.objects.create(
        klenty_id=created.id or None,
        event=created.event or event,
        url=created.url or url,
        token=token,
        created_by=user,
    )


def update_webhook(
    client: KlentyClient, subscription: WebhookSubscription, *, event: str, url: str
):
    url = url or subscription.url
    client.update_webhook(subscription.klenty_id or "", event, url)
    subscription.event, subscription.url = event, url
    subscription.updated_at = timezone.now()
    subscription.save(update_fields=["event", "url", "updated_at"])
    return subscription


def delete_webhook(client: KlentyClient, subscription: WebhookSubscription) -> None:
    client.delete_webhook(subscription.klenty_id or "")
    subscription.delete()


def recreate(client: KlentyClient, subscription: WebhookSubscription) -> WebhookSubscription:
    """Registers a webhook deleted in Klenty again; its URL (and token) stay the same."""
    created = client.add_webhook(subscription.event, subscription.url)
    subscription.klenty_id = created.id or None
    subscription.updated_at = timezone.now()
    subscription.save(update_fields=["klenty_id", "updated_at"])
    return subscription


def receiver_prefix() -> str:
    return receiver_url("x")[: -len("x/")]


def subscribe_dashboard(client: KlentyClient, user=None) -> list[WebhookSubscription]:
    """One webhook per documented event pointing at our receiver; events already covered are skipped."""
    covered = set(
        WebhookSubscription.objects.filter(
            token__isnull=False, url__startswith=receiver_prefix()
        ).values_list("event", flat=True)
    )
    return [
        add_webhook(client, event=event, user=user)
        for event in WEBHOOK_EVENTS
        if event not in covered
    ]


@dataclass(frozen=True)
class WebhookRow:
    """One line of the webhooks page: our copy, Klenty's, and how they differ."""

    local: WebhookSubscription | None
    remote: Webhook | None

    @property
    def state(self) -> str:
        if self.remote is None:
            return "deleted elsewhere"
        if self.local is None:
            return "created elsewhere"
        if (self.local.event, self.local.url) != (self.remote.event, self.remote.url):
            return "changed elsewhere"
        return "in sync"

    @property
    def event(self) -> str:
        return (self.remote or self.local).event

    @property
    def url(self) -> str:
        return (self.remote or self.local).url

    @property
    def display_url(self) -> str:
        """The URL with a receiver's token masked, ours or not (a webhook created
        elsewhere may point at our receiver): it is a credential, and an Admin
        setting up webhooks never needs it, since Klenty got it from us."""
        return redact_hook_tokens(self.url)

    @property
    def klenty_id(self) -> str:
        return self.remote.id if self.remote else (self.local.klenty_id or "")


def compare(local: list[WebhookSubscription], remote: list[Webhook] | None) -> list[WebhookRow]:
    """Our copy beside Klenty's; with `remote` None (Klenty unreachable) only ours, unjudged."""
    if remote is None:
        return [WebhookRow(local=s, remote=_as_remote(s)) for s in local]
    by_id = {s.klenty_id: s for s in local if s.klenty_id}
    rows = [WebhookRow(local=by_id.pop(hook.id, None), remote=hook) for hook in remote]
    rows += [WebhookRow(local=s, remote=None) for s in local if s.klenty_id in by_id]
    rows += [WebhookRow(local=s, remote=None) for s in local if not s.klenty_id]
    return sorted(rows, key=lambda row: (row.event.lower(), row.url))


def _as_remote(subscription: WebhookSubscription) -> Webhook:
    return Webhook(id=subscription.klenty_id or "", event=subscription.event, url=subscription.url)


def adopt(hook: Webhook, user=None) -> WebhookSubscription:
    """Keeps Klenty's version of a webhook in our copy. One that points at our receiver
    (our copy was lost) gets its token back, so its deliveries are accepted again."""
    defaults = {"event": hook.event, "url": hook.url, "updated_at": timezone.now()}
    token = token_in(hook.url)
    if token and not WebhookSubscription.objects.filter(token=token).exists():
        defaults["token"] = token
    subscription, created = WebhookSubscription.objects.update_or_create(
        klenty_id=hook.id, defaults=defaults, create_defaults={**defaults, "created_by": user}
    )
    return subscription


def token_in(url: str) -> str:
    """The receiver token in one of our receiver URLs, else ""."""
    try:
        prefix = receiver_prefix()
    except NoPublicUrl:
        return ""
    if not url.startswith(prefix):
        return ""
    token = url[len(prefix) :].strip("/")
    return token if token and "/" not in token and len(token) <= 64 else ""
