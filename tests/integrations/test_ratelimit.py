"""The shared rate limiter: never over the configured rate, and close to it.

Most tests run the real FileRateLimiter against a simulated clock (sleeping moves
the clock on), so a ten-minute run at the production window of 60 s takes
milliseconds. One test races two real processes over a shortened window.
"""

from __future__ import annotations

import bisect
import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from klentyadmin.integrations.ratelimit import (
    FileRateLimiter,
    RedisRateLimiter,
    burst_size,
    limiter_for_settings,
)
from tests.fixtures.servers import needs_redis

ROOT = Path(__file__).resolve().parents[2]


class SimulatedClock:
    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def simulated_limiter(directory, clock: SimulatedClock) -> FileRateLimiter:
    return FileRateLimiter(directory, clock=clock, sleep=clock.sleep)


def max_in_any_window(times: list[float], window: float) -> int:
    """The most events in any half-open window [t, t + window)."""
    times = sorted(times)
    return max(bisect.bisect_left(times, t + window) - i for i, t in enumerate(times))


def run_for(limiter: FileRateLimiter, clock: SimulatedClock, rate: int, seconds: float):
    start, times = clock.now, []
    while True:
        limiter.acquire("k", rate)
        if clock.now >= start + seconds:
            return times
        times.append(clock.now)


@pytest.mark.parametrize("rate", [1, 7, 60, 100, 600, 5000])
def test_sustained_load_stays_within_the_rate_and_reaches_90_percent_of_it(tmp_path, rate):
    clock = SimulatedClock()
    times = run_for(simulated_limiter(tmp_path, clock), clock, rate, seconds=240)
    assert max_in_any_window(times, 60.0) <= rate
    assert len(times) >= 0.9 * rate * 4


@hypothesis_settings(max_examples=40, deadline=None)
@given(rate=st.integers(min_value=1, max_value=3000), pauses=st.lists(st.floats(0, 90), max_size=8))
def test_no_pattern_of_pauses_lets_a_window_exceed_the_rate(tmp_path_factory, rate, pauses):
    clock = SimulatedClock()
    limiter = simulated_limiter(tmp_path_factory.mktemp("rl"), clock)
    times = []
    for pause in [0.0, *pauses]:
        clock.sleep(pause)  # idle, so the burst builds up again
        for _ in range(burst_size(rate) + 5):
            limiter.acquire("k", rate)
            times.append(clock.now)
    assert max_in_any_window(times, 60.0) <= rate


def test_the_first_few_calls_go_at_once(tmp_path):
    clock = SimulatedClock()
    limiter = simulated_limiter(tmp_path, clock)
    waits = [limiter.acquire("k", 60) for _ in range(5)]
    assert burst_size(60) == 4
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4] > 1.0


def test_each_key_has_its_own_budget(tmp_path):
    clock = SimulatedClock()
    limiter = simulated_limiter(tmp_path, clock)
    for _ in range(4):
        limiter.acquire("account-a", 60)
    assert limiter.acquire("account-b", 60) == 0


def test_a_penalty_holds_back_the_next_call_and_does_not_hand_back_the_burst(tmp_path):
    clock = SimulatedClock()
    limiter = simulated_limiter(tmp_path, clock)
    limiter.penalise("k", 30)
    other_process = simulated_limiter(tmp_path, clock)
    assert other_process.acquire("k", 60) == pytest.approx(30)
    assert limiter.acquire("k", 60) == pytest.approx(60 * 1.02 / 57)


def test_a_schedule_far_in_the_future_is_treated_as_stale(tmp_path):
    clock = SimulatedClock()
    limiter = simulated_limiter(tmp_path, clock)
    limiter.acquire("k", 60)
    (path,) = tmp_path.glob("*.gcra")
    path.write_text(f"{clock.now + 86_400!r} {clock.now + 86_400!r}")
    assert limiter.acquire("k", 60) == 0


def test_a_damaged_state_file_starts_afresh(tmp_path):
    clock = SimulatedClock()
    limiter = simulated_limiter(tmp_path, clock)
    limiter.acquire("k", 60)
    (path,) = tmp_path.glob("*.gcra")
    path.write_text("garbage")
    assert limiter.acquire("k", 60) == 0


def test_keys_become_safe_distinct_file_names(tmp_path):
    limiter = FileRateLimiter(tmp_path)
    limiter.acquire("a/b", 1000)
    limiter.acquire("a_b", 1000)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2
    assert all("/" not in n for n in names)


def test_the_file_backend_is_the_default_and_redis_is_used_when_configured(settings, tmp_path):
    settings.REDIS_URL = ""
    settings.RATE_LIMIT_DIR = tmp_path / "rl"
    assert isinstance(limiter_for_settings(), FileRateLimiter)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # not contacted until used
    assert isinstance(limiter_for_settings(), RedisRateLimiter)


# -- two real processes --------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import json, sys, time
    from klentyadmin.integrations.ratelimit import FileRateLimiter

    directory, start_at, seconds, rate, period = sys.argv[1:6]
    start_at, seconds, rate, period = float(start_at), float(seconds), int(rate), float(period)
    limiter = FileRateLimiter(directory, period=period)
    time.sleep(max(0.0, start_at - time.time()))
    stamps = []
    while True:
        limiter.acquire("shared", rate)
        now = time.time()
        if now >= start_at + seconds:
            break
        stamps.append(now)
    print(json.dumps(stamps))
    """
)


def run_workers(directory: Path, count: int, rate: int, period: float, seconds: float):
    start_at = time.time() + 1.0  # time for both interpreters to start
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [str(directory), str(start_at), str(seconds), str(rate), str(period)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, *args], stdout=subprocess.PIPE, env=env, text=True
        )
        for _ in range(count)
    ]
    results = [json.loads(p.communicate(timeout=60)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    return results


def test_two_processes_share_one_budget_without_exceeding_it(tmp_path):
    # The production window is 60 s; the schedule scales with it, so a 2 s window
    # shows the same behaviour in a few seconds.
    rate, period, seconds = 60, 2.0, 4.0
    first, second = run_workers(tmp_path, 2, rate, period, seconds)
    stamps = first + second
    assert max_in_any_window(stamps, period) <= rate
    assert len(stamps) >= 0.9 * rate * seconds / period
    assert min(len(first), len(second)) >= 0.25 * len(stamps)  # both got a share


# -- Redis --------------------------------------------------------------------


@needs_redis
def test_redis_limiter_stays_within_the_rate_and_reaches_90_percent_of_it():
    rate, period, seconds = 60, 2.0, 4.0
    limiter = RedisRateLimiter(os.environ["REDIS_URL"], period=period)
    key = f"test-{uuid.uuid4().hex}"
    start, stamps = time.time(), []
    while time.time() < start + seconds:
        limiter.acquire(key, rate)
        stamps.append(time.time())
    stamps = [s for s in stamps if s < start + seconds]
    assert max_in_any_window(stamps, period) <= rate
    assert len(stamps) >= 0.9 * rate * seconds / period


@needs_redis
def test_redis_penalty_holds_back_the_next_call():
    limiter = RedisRateLimiter(os.environ["REDIS_URL"], sleep=lambda s: None)
    key = f"test-{uuid.uuid4().hex}"
    limiter.penalise(key, 5)
    assert limiter.acquire(key, 60) == pytest.approx(5, abs=0.2)


REDIS_WORKER = textwrap.dedent(
    """
    import json, sys, time, urllib.error, urllib.request
    from klentyadmin.integrations.ratelimit import RedisRateLimiter

    redis_url, key, rate, start_at, seconds, url, api_key = sys.argv[1:8]
    rate, start_at, seconds = int(rate), float(start_at), float(seconds)
    limiter = RedisRateLimiter(redis_url)
    time.sleep(max(0.0, start_at - time.time()))
    statuses = []
    while True:
        limiter.acquire(key, rate)
        if time.time() >= start_at + seconds:
            break
        request = urllib.request.Request(url, headers={"x-api-key": api_key})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                statuses.append(answer.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    print(json.dumps(statuses))
    """
)


@needs_redis
def test_two_processes_bursting_through_redis_never_exceed_the_sandboxs_limit(sandbox):
    # The real 60 s window, judged by the sandbox itself: it answers 429 to a 601st
    # request in any sliding minute. Both processes start at the same instant, so
    # the burst at the start is contended too.
    rate, seconds = 600, 62.0
    sandbox.configure(rate_limit_per_min=rate)
    url = f"{sandbox.klenty_base}/user/morgan.hale@northwind.example/lists"
    key = f"test-{uuid.uuid4().hex}"
    start_at = time.time() + 2.0  # time for both interpreters to start
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [os.environ["REDIS_URL"], key, str(rate), str(start_at), str(seconds), url, sandbox.key]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", REDIS_WORKER, *args], stdout=subprocess.PIPE, env=env, text=True
        )
        for _ in range(2)
    ]
    first, second = (json.loads(p.communicate(timeout=seconds + 60)[0]) for p in procs)
    assert all(p.returncode == 0 for p in procs)

    logged = [r for r in sandbox.requests() if r["path"].endswith("/lists")]
    assert len(logged) == len(first) + len(second)
    assert {r["status"] for r in logged} == {200}  # no 429
    assert max_in_any_window([r["ts"] for r in logged], 60.0) <= rate
    assert len(logged) >= 0.9 * rate * seconds / 60
    assert min(len(first), len(second)) >= 0.25 * len(logged)  # both got a share
