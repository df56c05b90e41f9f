"""A report delivery whose worker died is taken over by the resume schedule and never
sent twice: before the hand-over to the mail server it is simply attempted again;
during it, it ends "Maybe sent" and is not sent again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from klentyadmin.core import background
from reporting import emails, images
from reporting.models import ReportDelivery
from tests.reporting.test_emails import FAKE_PNG, subscribe

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: no `except Exception` in the runner sees it."""


def killed_test_email(user, monkeypatch, where: str, *, send_first: bool = False):
    """A test delivery whose worker dies in `where` ("render_pngs" or "send")."""
    real_send = EmailMultiAlternatives.send

    def dies(*args, **kwargs):
        if send_first:
            real_send(*args, **kwargs)
        raise WorkerKilled

    if where == "render_pngs":
        monkeypatch.setattr(images, "render_pngs", dies)
    else:
        monkeypatch.setattr(images, "render_pngs", lambda figures: [FAKE_PNG for _ in figures])
        monkeypatch.setattr(EmailMultiAlternatives, "send", dies)
    delivery = emails.new_delivery(subscribe(user), scheduled_for=timezone.now(), is_test=True)
    with pytest.raises(WorkerKilled):
        emails.deliver(delivery.pk)
    # The next worker: sends for real, draws without a browser.
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    monkeypatch.setattr(images, "render_pngs", lambda figures: [FAKE_PNG for _ in figures])
    delivery.refresh_from_db()
    assert delivery.status == ReportDelivery.Status.SENDING
    return delivery


def lease_lapses() -> None:
    ReportDelivery.objects.update(lease_until=timezone.now() - timedelta(seconds=1))


def test_a_delivery_killed_while_its_charts_are_drawn_is_sent_once_on_resume(
    manager_user, monkeypatch
):
    delivery = killed_test_email(manager_user, monkeypatch, "render_pngs")
    assert delivery.handing_over_at is None

    lease_lapses()
    assert background.resume_stalled() == 1

    delivery.refresh_from_db()
    assert delivery.status == ReportDelivery.Status.SENT
    assert delivery.attempts == 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == delivery.message_id


@pytest.mark.parametrize("went_out", [False, True], ids=["refused", "went-out"])
def test_a_delivery_killed_while_handed_to_the_mail_server_is_not_sent_again(
    manager_user, monkeypatch, went_out
):
    delivery = killed_test_email(manager_user, monkeypatch, "send", send_first=went_out)
    assert delivery.handing_over_at is not None

    lease_lapses()
    assert background.resume_stalled() == 1
    assert background.resume_stalled() == 0

    delivery.refresh_from_db()
    assert delivery.status == ReportDelivery.Status.UNKNOWN and delivery.finished
    assert delivery.error == emails.OUTCOME_UNKNOWN
    assert len(mail.outbox) == (1 if went_out else 0)
    line = background.get(emails.KIND).failure_line(delivery)
    assert line.startswith(
        "The weekly email engagement report email for morgan may not have been sent: "
        "the worker stopped while handing this email to the mail server"
    )
    # The next round of due emails leaves it alone.
    assert emails.send_due() == 0
    assert len(mail.outbox) == (1 if went_out else 0)
