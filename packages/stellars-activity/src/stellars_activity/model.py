"""The tables: samples, per-user running totals and daily counts, and the store's state.

Our own DeclarativeBase and MetaData (never JupyterHub's), so the tables can
live in the hub's database or any other without touching the hub's schema.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Double, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from stellars_core import UTCDateTime

USERNAME_LENGTH = 255


class Base(DeclarativeBase):
    """The declarative base of the activity tables (their own MetaData)."""


class ActivitySample(Base):
    """One observation: was *username* active at *timestamp*. One per user and tick."""

    __tablename__ = "activity_samples"
    # The primary key makes a repeated tick a no-op and serves per-user reads;
    # the timestamp index serves pruning and the future-sample lookup.
    __table_args__ = (Index("ix_activity_samples_timestamp", "timestamp"),)

    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH), primary_key=True)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False)


class ActivityTotal(Base):
    """A user's running sums over their stored samples, in the store's reference frame.

    ``weighted_total`` is Σ g and ``weighted_active`` Σ g·active, with
    ``g = 2 ** ((timestamp - reference) / half_life)`` (see ActivityState).
    """

    __tablename__ = "activity_totals"

    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH), primary_key=True)
    weighted_active: Mapped[float] = mapped_column(Double, nullable=False)
    weighted_total: Mapped[float] = mapped_column(Double, nullable=False)
    samples: Mapped[int] = mapped_column(Integer, nullable=False)
    first_sample: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_sample: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ActivityDaily(Base):
    """How many active samples a user has on one UTC calendar day (rows with none are absent).

    Kept in step with the samples, so the daily history of every user is a
    read of one row per user and day rows rather than of every sample.
    """

    __tablename__ = "activity_daily"

    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    active_samples: Mapped[int] = mapped_column(Integer, nullable=False)


class ActivityState(Base):
    """The one row of the store's state.

    ``reference`` and ``half_life_seconds`` say which frame the totals were
    built in; ``last_tick`` is the newest tick a sampler recorded (None
    before the first), which tells whether sampling is keeping up.
    """

    __tablename__ = "activity_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    half_life_seconds: Mapped[float] = mapped_column(Double, nullable=False)
    last_tick: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SessionExtension(Base):
    """A running server's extension: until when it is kept, and the hours granted so far.

    Keyed by user; ``started`` is the start of the server it belongs to, so a
    new server (another start time) starts without an extension.
    """

    __tablename__ = "session_extensions"

    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH), primary_key=True)
    started: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    hours_used: Mapped[int] = mapped_column(Integer, nullable=False)


class CullWarningSent(Base):
    """The cull time a user was last warned of, so that one cull time is warned of once.

    Keyed by user: a warning of another cull time (the user extended, or was
    active and went idle again) replaces it. Kept in the database so a hub
    restart does not warn again.
    """

    __tablename__ = "cull_warnings"

    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH), primary_key=True)
    cull_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    warned_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
