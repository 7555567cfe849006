"""When each sign-up applied, and how many are waiting: the approvals queue's data.

NativeAuthenticator's ``users_info`` has no timestamp, so the time of each
sign-up is kept in ``stellars_signups``. Applicants from before that table
existed got a row at the upgrade with ``exact`` false: they applied *before*
that moment. An account with no row at all (made by another path, such as
NativeAuthenticator's own reCAPTCHA sign-up) applied at an unknown time.

ORM access goes through the hub's session, on the event loop's thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime  # noqa: TC003 - SQLAlchemy reads Mapped[datetime] at run time
from typing import TYPE_CHECKING

from nativeauthenticator.orm import UserInfo
from sqlalchemy import Boolean, String, delete, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from stellars_core import UTCDateTime

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from sqlalchemy.orm import Session

# Seconds a count of waiting sign-ups is reused: every page an admin opens
# shows it, and a sign-up or a decision on this hub drops it at once.
COUNT_TTL_S = 5.0


class _Base(DeclarativeBase):
    pass


class SignUpRow(_Base):
    """When *username* applied; ``exact`` false: at some time before ``applied_at``."""

    __tablename__ = "stellars_signups"

    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    exact: Mapped[bool] = mapped_column(Boolean, nullable=False)


@dataclass(frozen=True)
class Applied:
    """When a sign-up applied: at ``at``, or (``exact`` false) some time before it."""

    at: datetime
    exact: bool

    def label(self) -> str:
        """Return it in words: ``2026-12-06 09:41 UTC`` or ``before 2026-12-06``."""
        if self.exact:
            return self.at.strftime("%Y-%m-%d %H:%M UTC")
        return f"before {self.at:%Y-%m-%d}"


def record_sign_up(session: Session, username: str, now: datetime) -> None:
    """Note that *username* applied at *now* (aware UTC), replacing any earlier row.

    Added to *session* without a commit: it is committed with the account.
    """
    session.merge(SignUpRow(username=username, applied_at=now, exact=True))


def forget_sign_up(session: Session, username: str) -> None:
    """Drop *username*'s row, if any, without a commit (the account is going too)."""
    session.execute(delete(SignUpRow).where(SignUpRow.username == username))


def applied_times(session: Session, usernames: Iterable[str]) -> dict[str, Applied]:
    """Return when each of *usernames* applied, by name; names without a row are absent."""
    wanted = list(usernames)
    if not wanted:
        return {}
    rows = session.execute(select(SignUpRow).where(SignUpRow.username.in_(wanted))).scalars()
    return {row.username: Applied(row.applied_at, row.exact) for row in rows}


def count_waiting(session: Session) -> int:
    """Return how many accounts are not authorised yet: one ``COUNT`` on ``users_info``."""
    waiting = select(func.count()).select_from(UserInfo).where(UserInfo.is_authorized.is_not(True))
    return int(session.execute(waiting).scalar_one())


@dataclass
class WaitingCount:
    """The number of waiting sign-ups, counted at most once per *ttl_s* seconds.

    :meth:`forget` drops it when this hub changes an account, so whoever
    changed it sees the new number on their next page. Used on the hub's
    event loop thread only (no locking).
    """

    ttl_s: float = COUNT_TTL_S
    clock: Callable[[], float] = time.monotonic
    _counted: tuple[int, float] | None = field(default=None, repr=False)

    def count(self, session: Session) -> int:
        """Return the number of waiting sign-ups, from *session* when the last count is stale."""
        now = self.clock()
        if self._counted is not None and now < self._counted[1]:
            return self._counted[0]
        waiting = count_waiting(session)
        self._counted = (waiting, now + self.ttl_s)
        return waiting

    def forget(self) -> None:
        """Count anew on the next call."""
        self._counted = None
