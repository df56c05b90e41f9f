"""One incoming webhook, one method: post a message.

Implements Slack's "Sending messages using incoming webhooks": POST a JSON body
``{"text": ...}`` to the webhook's URL. The URL itself is the credential, so it is
never recorded: the call log names the endpoint ``post_message`` only.
"""

from __future__ import annotations

from django.conf import settings

from klentyadmin.integrations.slack.session import SERVICE, SlackSession


class SlackWebhook:
    def __init__(self, url: str) -> None:
        self.session = SlackSession(
            base_url=url,
            auth_headers={},
            rate_key=SERVICE,
            per_minute=settings.ALERTS_SLACK_RATE_LIMIT_PER_MIN,
        )

    def post_message(self, text: str) -> str:
        """One attempt (the session retries only what never left this machine)."""
        try:
            return self.session.post("", endpoint="post_message", json={"text": text})
        finally:
            self.session.close()
