"""Whether the hub's parts answer: run the checks rarely, share the answer, and limit callers.

The health endpoint is unauthenticated, so it must stay cheap whatever
calls it: the checks run at most once per *cache_s* (callers arriving while
a run is in flight wait for that run rather than start another), and each
client address gets at most *per_minute* answers.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping


@dataclass(frozen=True)
class CheckResult:
    """One part's answer: *ok*, how long it took, and why not when it failed."""

    name: str
    ok: bool
    elapsed_ms: float
    error: str | None = None


@dataclass(frozen=True)
class HealthReport:
    """Every part's answer, and when they were asked (the monotonic clock)."""

    checks: tuple[CheckResult, ...]
    checked_at: float

    @property
    def healthy(self) -> bool:
        """Return whether every part answered."""
        return all(check.ok for check in self.checks)


class HealthChecks:
    """The last report, renewed at most every *cache_s* seconds; each probe has *timeout_s*.

    :attr:`limit` counts the callers, *per_minute* answers per address.
    """

    def __init__(
        self,
        *,
        cache_s: float = 5.0,
        timeout_s: float = 3.0,
        per_minute: int = 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cache_s = cache_s
        self.timeout_s = timeout_s
        self.limit = ClientRateLimit(per_minute, clock)
        self._clock = clock
        self._last: HealthReport | None = None
        self._running: asyncio.Future[HealthReport] | None = None

    async def report(self, probes: Mapping[str, Callable[[], Awaitable[object]]]) -> HealthReport:
        """Return the last report while it is fresh, else run *probes* (once, for every caller)."""
        if self._last is not None and self._clock() - self._last.checked_at < self.cache_s:
            return self._last
        if self._running is None:
            self._running = asyncio.ensure_future(self._run(probes))
        running = self._running
        try:
            return await asyncio.shield(running)
        finally:
            if running.done() and self._running is running:
                self._running = None

    def age_s(self, report: HealthReport) -> float:
        """Return how many seconds ago *report* was made."""
        return max(0.0, self._clock() - report.checked_at)

    async def _run(self, probes: Mapping[str, Callable[[], Awaitable[object]]]) -> HealthReport:
        checks = await asyncio.gather(*(self._check(name, probe) for name, probe in probes.items()))
        self._last = HealthReport(tuple(checks), self._clock())
        return self._last

    async def _check(self, name: str, probe: Callable[[], Awaitable[object]]) -> CheckResult:
        started = time.perf_counter()
        try:
            await asyncio.wait_for(probe(), self.timeout_s)
        except TimeoutError:
            error: str | None = f"no answer within {self.timeout_s:g} s"
        except Exception as failure:  # noqa: BLE001 - any failure is the part's answer
            error = str(failure) or type(failure).__name__
        else:
            error = None
        elapsed = (time.perf_counter() - started) * 1000
        return CheckResult(name, ok=error is None, elapsed_ms=elapsed, error=error)


class ClientRateLimit:
    """At most *per_minute* requests per client address in each clock minute."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._window = -1
        self._counts: dict[str, int] = {}

    def allow(self, address: str) -> bool:
        """Count a request from *address*; return whether it is within the limit."""
        window = int(self._clock() // 60)
        if window != self._window:
            # A new minute forgets every address: the table never outgrows one minute's callers.
            self._window = window
            self._counts.clear()
        count = self._counts.get(address, 0) + 1
        self._counts[address] = count
        return count <= self.per_minute

    def retry_after_s(self) -> int:
        """Return the seconds until the current minute ends."""
        return max(1, 60 - int(self._clock() % 60))
