"""Sign-in time through OpenID Connect on loopback, p50 and p95.

Starts the test identity provider (tests/oidc_provider/) as its own process, and signs
a Rep in N times from a fresh client: the console's redirect (with the provider's
discovery document fetched), the provider's login page, the code exchange, the ID
token's signature check against the provider's keys, userinfo, and the first page.

    .venv/bin/python bench/oidc_signin.py [--runs 30]
"""

from __future__ import annotations

import argparse
import time

from _common import markdown_table, percentile, record_figure, setup_django, start_listening


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    process, url = start_listening("tests.oidc_provider", "OIDC provider listening on ")
    try:
        from tests.oidc_provider.people import CLIENT_ID, CLIENT_SECRET

        setup_django(
            OIDC_SERVER_URL=f"{url}/o",
            OIDC_CLIENT_ID=CLIENT_ID,
            OIDC_CLIENT_SECRET=CLIENT_SECRET,
            OIDC_NAME="Test IdP",
            OIDC_ALLOWED_DOMAINS="northwind.example",
            OIDC_ROLE_MAP="sales-reps=rep",
        )
        from tests.fixtures.oidc import IdentityProvider, console_client

        provider = IdentityProvider(url)
        timings = []
        for _ in range(args.runs):
            client = console_client()
            started = time.perf_counter()
            answer = provider.sign_in(client, "rafa")
            home = client.get(answer["Location"])
            timings.append((time.perf_counter() - started) * 1000)
            assert home.status_code == 200, home.status_code
    finally:
        process.terminate()
        process.wait(10)
    p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
    print(
        markdown_table(("sign-ins", "p50 ms", "p95 ms"), [(args.runs, f"{p50:.0f}", f"{p95:.0f}")])
    )
    record_figure("Sign-in through OpenID Connect on loopback (p50)", f"{p50:.0f} ms")


if __name__ == "__main__":
    main()
