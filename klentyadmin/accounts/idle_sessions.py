"""The idle timeout: a session ends SESSION_IDLE_HOURS after its last request.

Django pushes a session's expiry on whenever it saves it. Saving on every request
(SESSION_SAVE_EVERY_REQUEST) would write the session row for each HTMX poll, so the
session is touched at most once every RENEW_EVERY_SECONDS: the timeout then ends
between SESSION_IDLE_HOURS minus five minutes and SESSION_IDLE_HOURS after the last request.
"""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

RENEW_EVERY_SECONDS = 300
_RENEWED_AT = "idle_renewed_at"


def _stamp(session) -> None:
    session[_RENEWED_AT] = int(time.time())


@receiver(user_logged_in, dispatch_uid="klentyadmin.idle_sessions.stamp")
def stamp_on_sign_in(sender, request: HttpRequest, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        _stamp(request.session)


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        # In process_view, after DatabaseUnavailableMiddleware has loaded the session:
        # a database outage is answered there, not raised from here.
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            if time.time() - session.get(_RENEWED_AT, 0) >= RENEW_EVERY_SECONDS:
                _stamp(session)  # modified, so saved with a fresh expiry
        return None
