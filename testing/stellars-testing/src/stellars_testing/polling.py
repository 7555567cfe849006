"""Waiting for something a real component does in its own time."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T],
    *,
    timeout_s: float = 30.0,
    interval_s: float = 0.5,
    what: str = "the condition",
    explain: Callable[[], str] | None = None,
) -> T:
    """Return *condition*'s first truthy value, asking every *interval_s*.

    Raises:
        AssertionError: it stayed falsy for *timeout_s*; the message names
            *what*, followed by what *explain* returns then (a log's tail, a
            container's state).
    """
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            details = f"\n{explain()}" if explain is not None else ""
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}{details}")
        time.sleep(interval_s)
