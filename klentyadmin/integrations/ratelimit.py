"""One request budget per API account, shared by every web and worker process.

The algorithm is GCRA (generic cell rate algorithm): the limiter keeps, per key, the
"theoretical arrival time" (TAT) of the next request. A request may go at
`TAT - tolerance`; taking it moves TAT on by one emission interval. Requests are
spread evenly instead of a minute's budget going in the first second.

Choices, and why:
- Burst: `clamp(rate // 15, 1, 10)` requests may go back to back. A page that needs
  three or four calls at once (the default is 60/min, so a burst of 4) renders
  without a second's wait between calls, while bulk jobs are paced evenly. The cap
  of 10 keeps us from hammering vendors that also count per second.
- The burst is paid for: the steady interval is `period / (rate - burst + 1)`, so no
  sliding window of one period ever holds more than `rate` requests, burst included.
- A 2% margin on that interval absorbs network jitter, so requests sent exactly on
  schedule cannot reach the vendor closer together than allowed. Sustained
  throughput stays between 91% and 98% of the configured rate.
- Callers *reserve* a slot under the lock and sleep outside it, so no process holds
  the lock while waiting and waiters are served in arrival order.
- After a 429, `penalise` sets a "not before" time for the key: every process waits
  it out, and the burst is not handed back straight afterwards.
- Wall-clock time (time.time, Redis TIME) is the shared clock: the same in every
  process and meaningful after a restart, unlike a monotonic clock after a reboot.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from django.conf import settings

SAFETY_MARGIN = 1.02
MAX_BURST = 10
# State further ahead than this comes from a clock jump or a damaged file, not from
# real waiters: start afresh rather than block for hours.
MAX_AHEAD_SECONDS = 3600.0


def burst_size(rate: int) -> int:
    return max(1, min(MAX_BURST, rate // 15))


def schedule(rate: int, period: float = 60.0) -> tuple[float, float]:
    """(emission interval, burst tolerance) in seconds for `rate` requests per `period`."""
    if rate < 1:
        raise ValueError("a rate limit must allow at least one request")
    burst = burst_size(rate)
    interval = period * SAFETY_MARGIN / (rate - burst + 1)
    return interval, (burst - 1) * interval


def gcra_step(
    tat: float, not_before: float, now: float, interval: float, tolerance: float
) -> tuple[float, float]:
    """Reserve the next slot: returns (seconds to wait, new TAT)."""
    if tat > now + MAX_AHEAD_SECONDS:
        tat = now
    if not_before > now + MAX_AHEAD_SECONDS:
        not_before = 0.0
    tat = max(tat, now, not_before + tolerance)
    return max(0.0, tat - tolerance - now), tat + interval


class RateLimiter(Protocol):
    def acquire(self, key: str, per_minute: int) -> float: ...

    def penalise(self, key: str, seconds: float) -> None: ...


class FileRateLimiter:
    """GCRA state in one small file per key ("<tat> <not_before>"), made atomic
    across processes by an exclusive flock around each read-modify-write."""

    def __init__(
        self,
        directory: str | os.PathLike,
        *,
        period: float = 60.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.period = period  # 60 s in production; tests shorten it to stay fast
        self.clock = clock
        self.sleep = sleep

    def acquire(self, key: str, per_minute: int) -> float:
        interval, tolerance = schedule(per_minute, self.period)
        with _Locked(self._path(key)) as state:
            wait, state.tat = gcra_step(
                state.tat, state.not_before, self.clock(), interval, tolerance
            )
        if wait:
            self.sleep(wait)
        return wait

    def penalise(self, key: str, seconds: float) -> None:
        with _Locked(self._path(key)) as state:
            state.not_before = max(state.not_before, self.clock() + max(0.0, seconds))

    def _path(self, key: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", key)
        if safe != key:  # keep distinct keys in distinct files
            safe += "-" + hashlib.sha256(key.encode()).hexdigest()[:8]
        return self.directory / f"{safe}.gcra"


class _Locked:
    """Open, lock, read; on exit write back and unlock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tat = 0.0
        self.not_before = 0.0

    def __enter__(self) -> _Locked:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        try:
            parts = os.read(self.fd, 128).decode().split()
            self.tat, self.not_before = (float(p) for p in parts)
        except ValueError:  # new or half-written file: start afresh
            self.tat, self.not_before = 0.0, 0.0
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            if exc_type is None:
                data = f"{self.tat!r} {self.not_before!r}".encode()
                os.lseek(self.fd, 0, os.SEEK_SET)
                os.write(self.fd, data)
                os.ftruncate(self.fd, len(data))
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


# gcra_step and penalise as one Lua script, so read-modify-write is atomic in Redis.
# ARGV: interval, tolerance, penalty seconds (negative means "acquire"), max ahead.
# Returns the seconds to wait as a string: Lua numbers would be truncated to integers.
GCRA_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local penalty = tonumber(ARGV[3])
local max_ahead = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tat', 'nb')
local tat = tonumber(state[1] or '0')
local nb = tonumber(state[2] or '0')
if tat > now + max_ahead then tat = now end
if nb > now + max_ahead then nb = 0 end
local wait = 0
if penalty >= 0 then
  nb = math.max(nb, now + penalty)
else
  tat = math.max(tat, now, nb + tolerance)
  wait = math.max(0, tat - tolerance - now)
  tat = tat + interval
end
redis.call('HSET', KEYS[1], 'tat', string.format('%.6f', tat), 'nb', string.format('%.6f', nb))
redis.call('PEXPIRE', KEYS[1], math.ceil((math.max(tat, nb) - now) * 1000) + 60000)
return string.format('%.6f', wait)
"""


class RedisRateLimiter:
    """The same GCRA in Redis, for when workers run on more than one machine."""

    def __init__(
        self,
        url: str,
        *,
        period: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.script = _redis_client(url).register_script(GCRA_LUA)
        self.period = period
        self.sleep = sleep

    def acquire(self, key: str, per_minute: int) -> float:
        interval, tolerance = schedule(per_minute, self.period)
        args = [interval, tolerance, -1, MAX_AHEAD_SECONDS]
        wait = float(self.script(keys=[self._key(key)], args=args))
        if wait:
            self.sleep(wait)
        return wait

    def penalise(self, key: str, seconds: float) -> None:
        args = [0, 0, max(0.0, seconds), MAX_AHEAD_SECONDS]
        self.script(keys=[self._key(key)], args=args)

    @staticmethod
    def _key(key: str) -> str:
        return f"klentyadmin:ratelimit:{key}"


@functools.cache
def _redis_client(url: str):  # one connection pool per process and URL
    import redis

    return redis.Redis.from_url(url)


def limiter_for_settings() -> RateLimiter:
    if settings.REDIS_URL:
        return RedisRateLimiter(settings.REDIS_URL)
    return FileRateLimiter(settings.RATE_LIMIT_DIR)
