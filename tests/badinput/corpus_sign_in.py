"""Bad inputs for sign-in: single sign-on, two-factor codes, re-authentication."""

from __future__ import annotations

from tests.badinput.harness import TOLERATED, Case

BAD_CODES = {
    "no code": "",
    "letters": "abcdef",
    "a wrong code": "000000",
    "over 10,000 digits": "9" * 10_000,
    "a NUL byte": "12\x003456",
    "sql": "' OR '1'='1",
}


def code_cases(name: str, who: str, url: str, **options) -> list[Case]:
    return [
        Case(f"{name}: {label}", who, "post", url, data={"code": code}, **options)
        for label, code in BAD_CODES.items()
    ]


def password_again(id: str, password: str) -> Case:
    return Case(
        f"re-authentication: {id}",
        "rep",
        "post",
        "account_reauthenticate",
        data={"password": password},
        may_write=("axes.",),
    )


CASES = [
    # Enrollment: a code that is not the app's current one turns nothing on.
    *code_cases("two-factor enrollment", "rep", "mfa_activate_totp"),
    # Confirming it is you with a code, before turning two-factor off.
    *code_cases("two-factor re-authentication", "admin", "mfa_reauthenticate"),
    password_again("no password", ""),
    password_again("wrong password", "wrong-horse"),
    password_again("password over 10,000 characters", "p" * 10_000),
    password_again("a NUL byte", "correct\x00horse"),
    # A code with no sign-in waiting for it is sent back to sign in.
    Case(
        "two-factor code with no sign-in pending",
        "anon",
        "post",
        "mfa_authenticate",
        data={"code": "123456"},
        expect=TOLERATED,
    ),
    # Single sign-on: a provider that is not configured, forged or failed callbacks.
    Case(
        "sso: unknown provider",
        "anon",
        "post",
        "openid_connect_login",
        kwargs={"provider_id": "no-such-provider"},
        data={},
    ),
    Case(
        "sso callback: forged state",
        "anon",
        "get",
        "openid_connect_callback",
        kwargs={"provider_id": "no-such-provider"},
        query={"code": "forged", "state": "forged"},
    ),
    Case(
        "sso callback: provider error",
        "anon",
        "get",
        "openid_connect_callback",
        kwargs={"provider_id": "no-such-provider"},
        query={"error": "access_denied", "error_description": "<script>alert(1)</script>"},
    ),
]
