"""How every bench measures: timed calls, GET latencies under a load, and percentiles.

The benches import it as a sibling module (``python bench/bench_*.py`` puts
this folder first on the path), so each one times and ranks the same way.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable, Sequence

    import requests

Result = TypeVar("Result")


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Return the sample below which *fraction* of *samples* lie (0.99: the p99).

    The nearest rank at or above, never interpolated: a p99 is a time a
    request really took. Raises ``IndexError`` when *samples* is empty.
    """
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed(call: Callable[[], Result]) -> tuple[float, Result]:
    """Return the seconds one call of *call* took, and what it returned."""
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def get_latencies_ms(
    session: requests.Session,
    url: str,
    *,
    until: threading.Event | None = None,
    most: int | None = None,
    timeout: float = 30.0,
) -> list[float]:
    """GET *url* one request after another; return each one's milliseconds.

    Stops when *until* is set or after *most* requests, whichever comes first
    (one of them must be given). Raises ``requests.HTTPError`` on an answer
    that is not a success: a latency of an error would flatter the platform.
    """
    if until is None and most is None:
        raise ValueError("give until, most or both: nothing would stop the requests")
    samples: list[float] = []
    while not (until is not None and until.is_set()) and (most is None or len(samples) < most):
        seconds, response = timed(lambda: session.get(url, timeout=timeout))
        response.raise_for_status()
        samples.append(seconds * 1000)
    return samples


def alternating_latencies_ms(
    session: requests.Session, urls: dict[str, str], rounds: int, *, timeout: float = 30.0
) -> dict[str, list[float]]:
    """GET each of *urls* in turn, *rounds* times; return each name's milliseconds.

    Alternating puts the baseline and the measured endpoint under the same
    load of the machine at every moment, which makes their ratio fair.
    Raises ``requests.HTTPError`` on an answer that is not a success.
    """
    timings: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(rounds):
        for name, url in urls.items():
            timings[name].extend(get_latencies_ms(session, url, most=1, timeout=timeout))
    return timings
