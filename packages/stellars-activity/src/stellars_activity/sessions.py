"""The idle-session rule: how long a running server has left, what it may extend by, and culling.

One rule, used by the culler (through the hub's session-info API), the
extend API and the pages:

- A server has a base idle timeout, a maximum extension, and a ceiling =
  timeout + maximum extension.
- Remaining time = the larger of (timeout - time since its last activity) and
  (its extension deadline - now), never below 0 and never above the ceiling.
- Extending by h hours sets the deadline to now + min(remaining + h, ceiling);
  the hours on offer are floor((ceiling - remaining) / 1 hour), so repeated
  extensions never bank time beyond the ceiling.
- A server is culled when its remaining time reaches 0, or when its age
  passes the maximum age (0: none) whatever its extension.
- A new server starts without an extension.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

_HOUR = timedelta(hours=1)
_ZERO = timedelta(0)


class NothingOnOfferError(ValueError):
    """The server's remaining time is already within an hour of the ceiling."""


class InvalidHoursError(ValueError):
    """Extension hours that are not a whole number from 1."""


@dataclass(frozen=True)
class IdlePolicy:
    """The culler's settings.

    Attributes:
        timeout: base idle timeout.
        max_extension: the most a user can add on top of it.
        max_age: a server older than this is culled whatever its extension;
            zero for no maximum.
    """

    timeout: timedelta = timedelta(hours=24)
    max_extension: timedelta = timedelta(hours=24)
    max_age: timedelta = _ZERO

    @property
    def ceiling(self) -> timedelta:
        """Return the most remaining time a server can ever have."""
        return self.timeout + self.max_extension


@dataclass(frozen=True)
class SessionState:
    """Where one running server stands under the rule, at one moment."""

    remaining: timedelta
    hours_on_offer: int
    cull: bool


def remaining_time(
    policy: IdlePolicy, *, last_activity: datetime, deadline: datetime | None, now: datetime
) -> timedelta:
    """Return the server's remaining time: see the module docstring."""
    base_left = policy.timeout - (now - last_activity)
    extended_left = deadline - now if deadline is not None else _ZERO
    return min(max(base_left, extended_left, _ZERO), policy.ceiling)


def hours_on_offer(policy: IdlePolicy, remaining: timedelta) -> int:
    """Return the whole hours a server with *remaining* time may still extend by."""
    return max(math.floor((policy.ceiling - remaining) / _HOUR), 0)


def session_state(
    policy: IdlePolicy,
    *,
    last_activity: datetime,
    started: datetime,
    deadline: datetime | None,
    now: datetime,
) -> SessionState:
    """Return the server's remaining time, the hours on offer, and whether to cull it now."""
    remaining = remaining_time(policy, last_activity=last_activity, deadline=deadline, now=now)
    too_old = policy.max_age > _ZERO and now - started >= policy.max_age
    return SessionState(
        remaining=remaining,
        hours_on_offer=hours_on_offer(policy, remaining),
        cull=remaining <= _ZERO or too_old,
    )


@dataclass(frozen=True)
class Extension:
    """The outcome of an extension: the new deadline, and the hours granted of those asked."""

    deadline: datetime
    granted_hours: int
    truncated: bool


def valid_hours(hours: object) -> int:
    """Return *hours* if it is a whole number from 1 (2.0 too: JSON has one number type).

    Raises:
        InvalidHoursError: it is not.
    """
    if isinstance(hours, float) and hours.is_integer():
        hours = int(hours)
    if isinstance(hours, bool) or not isinstance(hours, int) or hours < 1:
        raise InvalidHoursError(f"hours must be a whole number from 1, not {hours!r}")
    return hours


def extend(policy: IdlePolicy, *, remaining: timedelta, hours: object, now: datetime) -> Extension:
    """Extend a server with *remaining* time by *hours* (granted up to what is on offer).

    Raises:
        InvalidHoursError: *hours* is not a whole number from 1.
        NothingOnOfferError: no whole hour is on offer.
    """
    hours = valid_hours(hours)
    offer = hours_on_offer(policy, remaining)
    if offer < 1:
        raise NothingOnOfferError("no extension is on offer: the session is at its ceiling")
    granted = min(hours, offer)
    return Extension(
        deadline=now + min(remaining + granted * _HOUR, policy.ceiling),
        granted_hours=granted,
        truncated=granted < hours,
    )
