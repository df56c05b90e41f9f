"""Slack-compatible incoming webhooks: one POST of {"text": ...} to a secret URL."""

from klentyadmin.integrations.slack.client import SlackWebhook

__all__ = ["SlackWebhook"]
