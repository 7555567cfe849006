"""The login throttle: a doubling back-off per account, a budget per address.

Counting failures per (username, address), as this module once did, lets
anyone who can send requests from many addresses (or forge the header that
names one) guess without end. Here every attempt is charged, before the
password is checked, against:

- the *account*: all strangers together, whatever address they come from;
- or, for a browser holding a valid known-device cookie for that username,
  the account's *known devices* instead, so strangers never lock the owner
  out of a browser they logged in with before (see ``stellars_auth.devices``);
- and, for strangers, the *address*, so one address cannot spray thousands
  of usernames through bcrypt.

Past its threshold a key waits ``min(cap, BASE_WAIT_S * 2**(failures -
threshold))`` after its latest attempt; an attempt in that window is refused
without a bcrypt check and not counted. A success clears the account (or
device) key. A key with no attempt for ``FORGET_AFTER_S`` is forgotten.

The counts live in the hub's database (``login_throttle``) so a restart does
not hand out fresh attempts. Keys are SHA-256 digests: what strangers typed as
a username (sometimes a password) is never stored. ORM access stays on the
event loop's thread, through the hub's own session.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from sqlalchemy import Integer, String, delete
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from stellars_core import UTCDateTime

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

# The first wait once a key passes its threshold; it doubles per attempt.
BASE_WAIT_S = 15.0
# A key with no attempt for this long starts again from zero.
FORGET_AFTER_S = 24 * 3600.0
# Stale keys are swept at most this often (on an attempt), so made-up names
# cannot grow the table without bound.
_PRUNE_EVERY_S = 600.0

KeyKind = Literal["account", "device", "address"]


@dataclass(frozen=True)
class BackOff:
    """After *threshold* attempts, wait ``min(cap_s, base_s * 2**(n - threshold))``.

    ``threshold`` 0 turns the back-off off.
    """

    threshold: int
    cap_s: float
    base_s: float = BASE_WAIT_S

    def wait_s(self, attempts: int) -> float:
        """Return the seconds a key with *attempts* uncleared attempts waits after the latest."""
        if not self.threshold or attempts < self.threshold:
            return 0.0
        doublings = attempts - self.threshold
        # 2**doublings overflows a float long after the cap is reached.
        if doublings > 64:  # noqa: PLR2004 - far past any cap
            return self.cap_s
        return float(min(self.cap_s, self.base_s * 2**doublings))

    def retry_after_s(self, attempts: int, latest: datetime, now: datetime) -> float:
        """Return the seconds left before a key may try again (0: it may now)."""
        remaining = self.wait_s(attempts) - (now - latest).total_seconds()
        return max(0.0, remaining)

    def max_checks_per_hour(self) -> int:
        """Return the most attempts one key lets through in any hour (the first is the worst).

        The threshold's attempts at once, then one each time a wait ends.
        """
        if not self.threshold:
            return 0  # unbounded; callers document 0 as "off"
        elapsed, attempts = 0.0, self.threshold
        while True:
            elapsed += self.wait_s(attempts)
            if elapsed >= 3600.0:  # noqa: PLR2004 - an hour
                return attempts
            attempts += 1


class _Base(DeclarativeBase):
    pass


class ThrottleRow(_Base):
    """One key's uncleared attempts and when the latest began."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    latest: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)


def _key(kind: KeyKind, subject: str) -> str:
    return hashlib.sha256(f"{kind}\0{subject}".encode()).hexdigest()


@dataclass(frozen=True)
class Refusal:
    """Why a login was refused without a password check: wait ``retry_after_s``."""

    retry_after_s: float

    @property
    def minutes(self) -> int:
        """Return the wait in whole minutes, rounded up (at least 1)."""
        return max(1, math.ceil(self.retry_after_s / 60))


class LoginThrottle:
    """The account, known-device and address keys of logins, kept in *session*'s database.

    Used on the event loop's thread only. *clock* returns aware UTC now.
    """

    def __init__(
        self,
        session: Session,
        account: BackOff,
        address: BackOff,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.session = session
        self.account = account
        self.address = address
        self.clock = clock
        self._last_prune: datetime | None = None

    def _keys(
        self, username: str, address: str, *, known_device: bool
    ) -> list[tuple[str, BackOff]]:
        if known_device:
            return [(_key("device", username), self.account)]
        return [(_key("account", username), self.account), (_key("address", address), self.address)]

    def check(self, username: str, address: str, *, known_device: bool) -> Refusal | None:
        """Return a refusal when one of the attempt's keys must still wait, else None."""
        now = self.clock()
        waits = []
        for key, backoff in self._keys(username, address, known_device=known_device):
            row = self.session.get(ThrottleRow, key)
            if row is not None and (now - row.latest).total_seconds() < FORGET_AFTER_S:
                waits.append(backoff.retry_after_s(row.attempts, row.latest, now))
        longest = max(waits, default=0.0)
        return Refusal(longest) if longest > 0 else None

    def charge(self, username: str, address: str, *, known_device: bool) -> None:
        """Count an attempt against its keys, before its password is checked.

        Charged first so that a burst of simultaneous guesses cannot all pass
        the check while the first ones are still in bcrypt: the session holds
        the change at once; :meth:`failed` or :meth:`succeeded` commits it
        (one commit per attempt).
        """
        now = self.clock()
        for key, backoff in self._keys(username, address, known_device=known_device):
            if not backoff.threshold:
                continue
            row = self.session.get(ThrottleRow, key)
            if row is None:
                self.session.add(ThrottleRow(key=key, attempts=1, latest=now))
            elif (now - row.latest).total_seconds() >= FORGET_AFTER_S:
                row.attempts, row.latest = 1, now
            else:
                row.attempts, row.latest = row.attempts + 1, now
        self._prune(now)
        self.session.flush()

    def failed(self) -> None:
        """Keep the charged attempt: it did not succeed."""
        self.session.commit()

    def succeeded(self, username: str, address: str, *, known_device: bool) -> None:
        """Clear the account's (or its devices') key; give the address its attempt back.

        The address is not cleared: one account an attacker holds must not
        reset the budget they spray other names from.
        """
        account_key, *rest = self._keys(username, address, known_device=known_device)
        row = self.session.get(ThrottleRow, account_key[0])
        if row is not None:
            self.session.delete(row)
        for key, _ in rest:
            row = self.session.get(ThrottleRow, key)
            if row is not None and row.attempts > 0:
                row.attempts -= 1
        self.session.commit()

    def _prune(self, now: datetime) -> None:
        if self._last_prune and (now - self._last_prune).total_seconds() < _PRUNE_EVERY_S:
            return
        self._last_prune = now
        cutoff = now - timedelta(seconds=FORGET_AFTER_S)
        self.session.execute(delete(ThrottleRow).where(ThrottleRow.latest < cutoff))
