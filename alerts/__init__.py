"""Alerts that act: rules over the reporting tables, evaluated after every pull,
notified by email and Slack-compatible webhooks, with actions a Manager confirms."""


def firing_for(user) -> list:
    """What is firing now that `user` may know of (Home's "Needs attention"): open
    firings, newest first. Managers and Admins see all; a Rep only firings about
    themselves (a rule scoped to them by their Klenty email)."""
    from alerts.firing import firing_for as firing

    return firing(user)
