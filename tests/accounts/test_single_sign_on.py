"""OpenID Connect sign-in against a real provider on loopback (tests/oidc_provider/):
accounts on first sign-in for allowed domains, the role from the group claim."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klentyadmin.accounts.models import Role, User
from tests.fixtures.oidc import console_client

pytestmark = pytest.mark.django_db


def test_a_rep_signing_in_for_the_first_time_gets_an_account_with_the_mapped_role(oidc_provider):
    client = console_client()

    answer = oidc_provider.sign_in(client, "rafa")

    assert answer.status_code == 302
    assert answer["Location"] == reverse("home")
    user = User.objects.get(email="rafa.rep@northwind.example")
    assert (user.role, user.first_name, user.last_name) == (Role.REP, "Rafa", "Rep")
    assert client.get(reverse("home")).status_code == 200
