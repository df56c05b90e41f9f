"""Round-trip time of one simple Klenty call (get_lists) through the whole client.

Starts its own sandbox with no rate limit and uses a throwaway database and state
folder, so it touches nothing of a developer's setup. What is timed is what a
view pays: the shared rate limiter, the HTTP request over a kept-alive connection,
parsing, and the ApiCall row.

    .venv/bin/python bench/client_roundtrip.py [--calls 200]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time

from _common import percentile, record_figure, setup_django, start_sandbox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    calls = parser.parse_args().calls

    sandbox, url = start_sandbox("--rate-limit", "0")
    scratch = None
    try:
        scratch = setup_django(url, KLENTY_RATE_LIMIT_PER_MIN="1000000")
        from klentyadmin.integrations.klenty import KlentyClient

        client = KlentyClient.from_settings()
        for _ in range(5):  # connect and warm up
            client.get_lists()
        timings = []
        for _ in range(calls):
            started = time.perf_counter()
            client.get_lists()
            timings.append((time.perf_counter() - started) * 1000)
        result = (
            f"median {statistics.median(timings):.2f} ms, p95 {percentile(timings, 0.95):.2f} ms"
        )
        print(f"get_lists x{calls}: {result}")
        record_figure(f"Klenty client round trip (get_lists, {calls} calls), loopback", result)
    finally:
        sandbox.terminate()
        sandbox.wait(10)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
