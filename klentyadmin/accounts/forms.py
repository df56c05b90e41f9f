from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """Django's sign-in form, with the username's length checked on the server.

    AuthenticationForm sets `max_length` after the field is built, so browsers see it
    but no validator runs: an overlong username would reach authenticate() and
    django-axes, whose AccessAttempt.username holds 255 characters, and PostgreSQL
    would refuse that row (a 500). Refused here, it never gets that far.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
