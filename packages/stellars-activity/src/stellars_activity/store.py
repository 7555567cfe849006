"""The sample store: recording ticks, exact scores from running totals, user lifecycle.

Every method does database I/O synchronously; callers on the hub's event loop
run them in a thread (``asyncio.to_thread``).

How scores stay exact without reading every sample: each sample has a growth
factor ``g = 2 ** ((t - reference) / half_life)`` relative to a fixed
reference time, and a user's totals keep ``Σ g·active`` and ``Σ g``. At any
*now*, ``wᵢ = gᵢ / g(now)``, and the common factor cancels in the ratio, so
``score = 100 · Σ g·active / Σ g``: the formula itself, up to rounding. See
the package README for retention, future timestamps, overflow and half-life
changes.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    case,
    create_engine,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from stellars_activity.levels import activity_level, activity_percentage
from stellars_activity.model import (
    ActivityDaily,
    ActivitySample,
    ActivityState,
    ActivityTotal,
)
from stellars_activity.results import UserScore
from stellars_activity.scoring import Sample, activity_score
from stellars_activity.settings import ActivitySettings

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

_SAMPLES = cast("Table", ActivitySample.__table__)
_TOTALS = cast("Table", ActivityTotal.__table__)
_STATE = cast("Table", ActivityState.__table__)
_DAILY = cast("Table", ActivityDaily.__table__)
_STATE_ID = 1
_ENOUGH_DATA = timedelta(hours=24)
# Exponents are in half-lives. Re-basing keeps every stored factor below
# 2**_REBASE_AFTER (plus one retention window); factors of samples from the far
# future are capped at 2**_MAX_EXPONENT. Both stay far from float overflow
# (2**1024), even summed over millions of samples.
_REBASE_AFTER = 256.0
_MAX_EXPONENT = 600.0
# A user's future samples are taken out of the totals by subtraction; when
# they outweigh the rest this much, the difference would lose digits, so that
# user is summed from their rows instead.
_CANCELLATION_LIMIT = 1e6
_CHUNK = 500


class UnsupportedDatabaseError(RuntimeError):
    """The database is neither SQLite nor PostgreSQL (idempotent inserts need one of them)."""


@dataclass(frozen=True)
class _Frame:
    """The reference the totals are built in."""

    reference: datetime
    half_life_s: float

    def factor(self, timestamp: datetime) -> float:
        exponent = (timestamp - self.reference).total_seconds() / self.half_life_s
        return float(2.0 ** min(exponent, _MAX_EXPONENT))


# About a tenth of a second of SQLite's write lock on a small machine.
PRUNE_BATCH = 10_000
# SQLite's busy handler retries a waiting writer at most every 100 ms: a pause
# between two prune batches at least this long lets every waiting writer in.
_WRITERS_GAP_S = 0.15


class ActivityStore:
    """Activity samples in a database, with exact scores for every user in one cheap read.

    *engine_or_url* is the hub's engine (the default: tables next to the
    hub's) or any SQLAlchemy URL or engine, SQLite or PostgreSQL.
    """

    def __init__(
        self, engine_or_url: Engine | str, settings: ActivitySettings | None = None
    ) -> None:
        self._engine = (
            create_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
        )
        self.settings = settings or ActivitySettings()
        self._half_life_s = self.settings.half_life.total_seconds()
        # Expired samples removed per transaction (see prune()).
        self.prune_batch = PRUNE_BATCH

    @property
    def engine(self) -> Engine:
        """Return the engine the store uses."""
        return self._engine

    # ------------------------------------------------------------ recording

    def record_tick(self, usernames_active: Mapping[str, bool], at: datetime) -> int:
        """Record one sample per user at *at* (aware); return how many rows were written.

        A tick repeated with the same *at* (a restart, an overlap) writes
        nothing for users it already recorded.

        Raises:
            ValueError: *at* is naive.
            UnsupportedDatabaseError: the database is not SQLite or PostgreSQL.
        """
        _require_aware(at)
        with self._engine.begin() as connection:
            written = self._record(connection, usernames_active, at)
            connection.execute(
                update(_STATE)
                .where(
                    _STATE.c.id == _STATE_ID,
                    or_(_STATE.c.last_tick.is_(None), _STATE.c.last_tick < at),
                )
                .values(last_tick=at)
            )
            return written

    def add_user(
        self, username: str, at: datetime, *, using: Session | Connection | None = None
    ) -> int:
        """Record the initial (inactive) sample of a user created at *at*; return rows written.

        With *using*, runs in that session's or connection's transaction.

        Raises:
            ValueError: *at* is naive.
            UnsupportedDatabaseError: the database is not SQLite or PostgreSQL.
        """
        _require_aware(at)
        with self._transaction(using) as connection:
            return self._record(connection, {username: False}, at)

    def _record(
        self, connection: Connection, usernames_active: Mapping[str, bool], at: datetime
    ) -> int:
        if not usernames_active:
            return 0
        frame = self._frame(connection, at)
        insert = _insert_for(connection)
        rows = [{"username": u, "timestamp": at, "active": a} for u, a in usernames_active.items()]
        written: list[tuple[str, bool]] = []
        for chunk in _chunks(rows):
            statement = (
                insert(_SAMPLES)
                .on_conflict_do_nothing(index_elements=["username", "timestamp"])
                .returning(_SAMPLES.c.username, _SAMPLES.c.active)
            )
            written.extend((r.username, r.active) for r in connection.execute(statement, chunk))
        if not written:
            return 0
        g = frame.factor(at)
        totals = [
            {
                "username": username,
                "weighted_active": g if active else 0.0,
                "weighted_total": g,
                "samples": 1,
                "first_sample": at,
                "last_sample": at,
            }
            for username, active in written
        ]
        statement = insert(_TOTALS)
        new = statement.excluded
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["username"],
                set_={
                    "weighted_active": _TOTALS.c.weighted_active + new.weighted_active,
                    "weighted_total": _TOTALS.c.weighted_total + new.weighted_total,
                    "samples": _TOTALS.c.samples + new.samples,
                    "first_sample": case(
                        (new.first_sample < _TOTALS.c.first_sample, new.first_sample),
                        else_=_TOTALS.c.first_sample,
                    ),
                    "last_sample": case(
                        (new.last_sample > _TOTALS.c.last_sample, new.last_sample),
                        else_=_TOTALS.c.last_sample,
                    ),
                },
            ),
            totals,
        )
        day = _day_of(at)
        _change_daily(connection, Counter((user, day) for user, active in written if active))
        return len(written)

    # ------------------------------------------------------------ reading

    def scores(
        self, now: datetime, usernames: Iterable[str] = (), *, only: bool = False
    ) -> dict[str, UserScore]:
        """Return the score of every user with samples, and of each of *usernames*.

        With *only*, the scores of *usernames* alone (a page of a table reads
        its rows, not every user's). Drops the samples that left the
        retention window first (see ``prune``). A user of *usernames* without
        samples gets a score of None, not 0.

        Raises:
            ValueError: *now* is naive.
        """
        _require_aware(now)
        usernames = list(usernames)
        self.prune(now)
        with self._engine.begin() as connection:
            frame = self._frame(connection, now)
            # What aged out since the batches above: a handful of rows at most.
            self._prune(connection, frame, now - self.settings.retention)
            totals_query = select(_TOTALS)
            future_query = select(
                _SAMPLES.c.username, _SAMPLES.c.timestamp, _SAMPLES.c.active
            ).where(_SAMPLES.c.timestamp > now)
            if only:
                totals_query = totals_query.where(_TOTALS.c.username.in_(usernames))
                future_query = future_query.where(_SAMPLES.c.username.in_(usernames))
            totals = connection.execute(totals_query).all()
            future = connection.execute(future_query).all()
            future_by_user: dict[str, list[tuple[datetime, bool]]] = defaultdict(list)
            for row in future:
                future_by_user[row.username].append((row.timestamp, row.active))
            g_now = frame.factor(now)
            results: dict[str, UserScore] = {}
            for row in totals:
                weighted_active, weighted_total = row.weighted_active, row.weighted_total
                moved = 0.0
                for timestamp, active in future_by_user.get(row.username, ()):
                    # A sample from the future (a wrong clock) counts with age 0.
                    g = frame.factor(timestamp)
                    moved += g
                    weighted_total += g_now - g
                    if active:
                        weighted_active += g_now - g
                if moved > _CANCELLATION_LIMIT * weighted_total:
                    score = self._score_from_rows(connection, row.username, now)
                else:
                    score = 100.0 * weighted_active / weighted_total
                last = row.last_sample
                collected = max(min(last, now) - row.first_sample, timedelta(0))
                results[row.username] = self._user_score(
                    row.username, score, row.samples, collected, last
                )
        for username in usernames:
            if username not in results:
                results[username] = self._user_score(username, None, 0, timedelta(0), None)
        return results

    def _score_from_rows(
        self, connection: Connection, username: str, now: datetime
    ) -> float | None:
        rows = connection.execute(
            select(_SAMPLES.c.timestamp, _SAMPLES.c.active).where(_SAMPLES.c.username == username)
        )
        samples = [Sample(r.timestamp, r.active) for r in rows]
        return activity_score(samples, now, self.settings.half_life, self.settings.retention)

    def _user_score(
        self,
        username: str,
        score: float | None,
        samples: int,
        collected: timedelta,
        last: datetime | None,
    ) -> UserScore:
        percentage = (
            None if score is None else activity_percentage(score, self.settings.target_hours)
        )
        return UserScore(
            username=username,
            score=score,
            percentage=percentage,
            level=None if percentage is None else activity_level(percentage),
            samples=samples,
            hours_collected=collected.total_seconds() / 3600.0,
            enough_data=score is not None and collected >= _ENOUGH_DATA,
            last_sample=last,
        )

    def daily_history(
        self, now: datetime, username: str | None = None, *, usernames: Iterable[str] | None = None
    ) -> dict[str, tuple[float, ...]]:
        """Return active hours per UTC calendar day, oldest first, ending with *now*'s day.

        There are ``retention_days`` days; a sample from the future counts in
        the last one. One active sample stands for ``sample_interval_minutes``
        of activity. With *username*, only that user; users without active
        samples in those days are absent. With *usernames*, only those users.

        Raises:
            ValueError: *now* is naive.
        """
        _require_aware(now)
        days = self.settings.retention_days
        today = _day_of(now)
        query = select(_DAILY).where(_DAILY.c.day > today - timedelta(days=days))
        if username is not None:
            query = query.where(_DAILY.c.username == username)
        if usernames is not None:
            query = query.where(_DAILY.c.username.in_(list(usernames)))
        hours_per_sample = self.settings.sample_interval_minutes / 60.0
        history: dict[str, list[float]] = {}
        with self._engine.connect() as connection:
            for row in connection.execute(query):
                ago = min(max((today - row.day).days, 0), days - 1)
                hours = history.setdefault(row.username, [0.0] * days)
                hours[days - 1 - ago] += row.active_samples * hours_per_sample
        return {name: tuple(hours) for name, hours in history.items()}

    def history_totals(self, now: datetime) -> dict[str, float]:
        """Return each user's active hours over ``daily_history``'s days: the sums of its values.

        One grouped read, for sorting every user by it. Users without
        active samples in those days are absent.

        Raises:
            ValueError: *now* is naive.
        """
        _require_aware(now)
        cutoff = _day_of(now) - timedelta(days=self.settings.retention_days)
        hours_per_sample = self.settings.sample_interval_minutes / 60.0
        query = (
            select(_DAILY.c.username, func.sum(_DAILY.c.active_samples))
            .where(_DAILY.c.day > cutoff)
            .group_by(_DAILY.c.username)
        )
        with self._engine.connect() as connection:
            return {
                str(name): float(total) * hours_per_sample
                for name, total in connection.execute(query)
            }

    def last_tick(self) -> datetime | None:
        """Return the newest tick ``record_tick`` recorded; None before the first or a reset."""
        with self._engine.connect() as connection:
            return cast(
                "datetime | None",
                connection.execute(
                    select(_STATE.c.last_tick).where(_STATE.c.id == _STATE_ID)
                ).scalar(),
            )

    # ------------------------------------------------------------ lifecycle

    def rename_user(self, old: str, new: str, *, using: Session | Connection | None = None) -> int:
        """Move *old*'s samples to *new*; return how many moved.

        Samples already under *new* are removed first: the hub renames only
        onto a name no user has, so they are leftovers. With *using*, runs in
        that session's or connection's transaction (the hub's own rename).
        """
        with self._transaction(using) as connection:
            _delete_user(connection, new)
            for table in (_TOTALS, _DAILY):
                connection.execute(
                    update(table).where(table.c.username == old).values(username=new)
                )
            return int(
                connection.execute(
                    update(_SAMPLES).where(_SAMPLES.c.username == old).values(username=new)
                ).rowcount
            )

    def delete_user(self, username: str, *, using: Session | Connection | None = None) -> int:
        """Remove every sample of *username*; return how many.

        With *using*, runs in that session's or connection's transaction.
        """
        with self._transaction(using) as connection:
            return _delete_user(connection, username)

    def prune(self, now: datetime) -> int:
        """Remove every sample older than the retention window at *now*; return how many.

        Works through the oldest samples in batches of ``prune_batch``, one
        short transaction each: a hub that was down for longer than the
        retention window may find a million expired samples at start, and a
        single transaction deleting them all holds SQLite's write lock for
        longer than the hub's own writers wait (JupyterHub then fails to
        start with "database is locked").

        Raises:
            ValueError: *now* is naive.
        """
        _require_aware(now)
        cutoff = now - self.settings.retention
        removed = 0
        while True:
            began = time.monotonic()
            with self._engine.begin() as connection:
                # The frame the totals are in, not a rebased one: a rebase or
                # rebuild is cheaper once the expired samples are gone.
                frame = self._stored_frame(connection, now)
                bound = _batch_bound(connection, cutoff, self.prune_batch)
                removed += self._prune(connection, frame, bound)
            if bound >= cutoff:
                return removed
            if self._engine.dialect.name == "sqlite":
                # SQLite has one write lock for the whole file: batch after
                # batch, back to back, a writer of the hub waiting for it
                # (busy timeout: 5 s) almost never finds it free and fails.
                time.sleep(max(time.monotonic() - began, _WRITERS_GAP_S))

    def rebuild(self, now: datetime) -> None:
        """Recompute every user's totals and daily counts from the stored samples.

        For samples written around the store (a bulk load, a restored
        backup); the store's own writes keep them in step already.

        Raises:
            ValueError: *now* is naive.
        """
        _require_aware(now)
        with self._engine.begin() as connection:
            frame = _Frame(now, self._half_life_s)
            _claim_state(connection, frame)
            self._rebuild(connection, frame)

    def reset(self) -> None:
        """Remove every sample of every user."""
        with self._engine.begin() as connection:
            for table in (_SAMPLES, _TOTALS, _DAILY, _STATE):
                connection.execute(delete(table))

    # ------------------------------------------------------------ internals

    @contextlib.contextmanager
    def _transaction(self, using: Session | Connection | None) -> Iterator[Connection]:
        if using is None:
            with self._engine.begin() as connection:
                yield connection
        elif isinstance(using, Session):
            yield using.connection()
        else:
            yield using

    def _frame(self, connection: Connection, now: datetime) -> _Frame:
        """Return the totals' frame, rebuilding them if the half-life changed or *now* ran far."""
        row = _state_row(connection)
        if row is None:
            frame = _Frame(now, self._half_life_s)
            if _claim_state(connection, frame):
                self._rebuild(connection, frame)
                return frame
            # Another transaction stored a frame between our read and our
            # insert (the first tick and a page's refresh after a reset): use it.
            row = _state_row(connection)
            if row is None:  # and a reset removed it again since: start over
                return self._frame(connection, now)
        frame = _Frame(row.reference, row.half_life_seconds)
        if frame.half_life_s != self._half_life_s:
            frame = _Frame(now, self._half_life_s)
            self._rebuild(connection, frame)
        elif (now - frame.reference).total_seconds() / self._half_life_s > _REBASE_AFTER:
            rebased = _Frame(now, self._half_life_s)
            if not _rescale(connection, frame, rebased):
                self._rebuild(connection, rebased)
            frame = rebased
        return frame

    def _stored_frame(self, connection: Connection, now: datetime) -> _Frame:
        """Return the frame the totals are in now, as stored; without a state, a new one."""
        row = _state_row(connection)
        if row is None:
            return self._frame(connection, now)
        return _Frame(row.reference, row.half_life_seconds)

    def _rebuild(self, connection: Connection, frame: _Frame) -> None:
        """Recompute every user's totals and daily counts from their rows, and store the frame.

        The state row must exist (``_claim_state``).
        """
        sums: dict[str, list[Any]] = {}
        daily: Counter[tuple[str, date]] = Counter()
        rows = connection.execute(
            select(_SAMPLES.c.username, _SAMPLES.c.timestamp, _SAMPLES.c.active).execution_options(
                yield_per=10_000
            )
        )
        for username, timestamp, active in rows:
            g = frame.factor(timestamp)
            if active:
                daily[username, _day_of(timestamp)] += 1
            entry = sums.get(username)
            if entry is None:
                sums[username] = [g if active else 0.0, g, 1, timestamp, timestamp]
            else:
                entry[0] += g if active else 0.0
                entry[1] += g
                entry[2] += 1
                entry[3] = min(entry[3], timestamp)
                entry[4] = max(entry[4], timestamp)
        connection.execute(delete(_TOTALS))
        connection.execute(delete(_DAILY))
        _change_daily(connection, daily)
        keys = ("weighted_active", "weighted_total", "samples", "first_sample", "last_sample")
        totals = [{"username": u, **dict(zip(keys, e, strict=True))} for u, e in sums.items()]
        if totals:
            connection.execute(_TOTALS.insert(), totals)
        values = {"reference": frame.reference, "half_life_seconds": frame.half_life_s}
        connection.execute(update(_STATE).where(_STATE.c.id == _STATE_ID).values(values))

    def _prune(self, connection: Connection, frame: _Frame, cutoff: datetime) -> int:
        """Delete samples older than *cutoff* and take them out of their users' totals."""
        removed = connection.execute(
            delete(_SAMPLES)
            .where(_SAMPLES.c.timestamp < cutoff)
            .returning(_SAMPLES.c.username, _SAMPLES.c.timestamp, _SAMPLES.c.active)
        ).all()
        if not removed:
            return 0
        changes: dict[str, list[float]] = {}
        daily: Counter[tuple[str, date]] = Counter()
        for username, timestamp, active in removed:
            if active:
                daily[username, _day_of(timestamp)] -= 1
            g = frame.factor(timestamp)
            change = changes.setdefault(username, [0.0, 0.0, 0])
            change[0] += g if active else 0.0
            change[1] += g
            change[2] += 1
        first = (
            select(func.min(_SAMPLES.c.timestamp))
            .where(_SAMPLES.c.username == _TOTALS.c.username)
            .scalar_subquery()
        )
        connection.execute(
            update(_TOTALS)
            .where(_TOTALS.c.username == bindparam("b_username"))
            .values(
                weighted_active=_TOTALS.c.weighted_active - bindparam("b_active"),
                weighted_total=_TOTALS.c.weighted_total - bindparam("b_total"),
                samples=_TOTALS.c.samples - bindparam("b_samples"),
                # None once a user has no sample left; that row goes just below.
                first_sample=func.coalesce(first, _TOTALS.c.first_sample),
            ),
            [
                {"b_username": u, "b_active": c[0], "b_total": c[1], "b_samples": c[2]}
                for u, c in changes.items()
            ],
        )
        # A user with no samples left has no score: drop the row, and with it
        # the rounding residue of the subtractions.
        connection.execute(delete(_TOTALS).where(_TOTALS.c.samples <= 0))
        _change_daily(connection, daily)
        return len(removed)


def _rescale(connection: Connection, old: _Frame, new: _Frame) -> bool:
    """Move the totals from frame *old* to *new* (same half-life); return whether it could.

    Every factor is multiplied by the same power of two, so the totals are
    scaled in one short UPDATE, never summed again from every sample (a
    rebuild holds SQLite's write lock for as long as it reads them all). Not
    when a sample's factor was capped in *old* (from the far future): scaled,
    it would not be the factor *new* gives it.
    """
    capped_after = old.reference + timedelta(seconds=_MAX_EXPONENT * old.half_life_s)
    capped = connection.execute(
        select(_SAMPLES.c.timestamp).where(_SAMPLES.c.timestamp >= capped_after).limit(1)
    ).first()
    if capped is not None:
        return False
    scale = 2.0 ** ((old.reference - new.reference).total_seconds() / old.half_life_s)
    connection.execute(
        update(_TOTALS).values(
            weighted_active=_TOTALS.c.weighted_active * scale,
            weighted_total=_TOTALS.c.weighted_total * scale,
        )
    )
    values = {"reference": new.reference, "half_life_seconds": new.half_life_s}
    connection.execute(update(_STATE).where(_STATE.c.id == _STATE_ID).values(values))
    return True


def _batch_bound(connection: Connection, cutoff: datetime, batch: int) -> datetime:
    """Return the bound below which at least *batch* of the samples older than *cutoff* lie.

    *cutoff* itself when fewer are left. The bound lies just past the
    batch-th oldest timestamp, so a batch always removes something even when
    many users share one tick's timestamp.
    """
    nth: datetime | None = connection.execute(
        select(_SAMPLES.c.timestamp)
        .where(_SAMPLES.c.timestamp < cutoff)
        .order_by(_SAMPLES.c.timestamp)
        .offset(batch)
        .limit(1)
    ).scalar_one_or_none()
    if nth is None:
        return cutoff
    return min(cutoff, nth + timedelta(microseconds=1))


def _delete_user(connection: Connection, username: str) -> int:
    for table in (_TOTALS, _DAILY):
        connection.execute(delete(table).where(table.c.username == username))
    return int(connection.execute(delete(_SAMPLES).where(_SAMPLES.c.username == username)).rowcount)


def _day_of(moment: datetime) -> date:
    """Return the UTC calendar day of the aware *moment*."""
    return moment.astimezone(UTC).date()


def _change_daily(connection: Connection, changes: Mapping[tuple[str, date], int]) -> None:
    """Add each change to that user's active count for that day (negative: samples removed)."""
    rows: list[dict[str, Any]] = [
        {"username": username, "day": day, "active_samples": change}
        for (username, day), change in changes.items()
        if change
    ]
    if not rows:
        return
    insert = _insert_for(connection)
    for chunk in _chunks(rows):
        statement = insert(_DAILY)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["username", "day"],
                set_={
                    "active_samples": _DAILY.c.active_samples + statement.excluded.active_samples
                },
            ),
            chunk,
        )
    if any(change < 0 for change in changes.values()):
        connection.execute(delete(_DAILY).where(_DAILY.c.active_samples <= 0))


def _state_row(connection: Connection) -> Any:
    return connection.execute(select(_STATE).where(_STATE.c.id == _STATE_ID)).one_or_none()


def _claim_state(connection: Connection, frame: _Frame) -> bool:
    """Store *frame* as the state unless a state exists; return whether this call stored it.

    Readers that find no state (every one after a reset) race to create it;
    an insert that ignores the conflict lets exactly one of them win, where a
    plain insert failed the others with a unique-key error.
    """
    insert = _insert_for(connection)
    values = {"id": _STATE_ID, "reference": frame.reference, "half_life_seconds": frame.half_life_s}
    # RETURNING, not rowcount: SQLAlchemy reports -1 as an INSERT's rowcount on
    # psycopg, which read as "another transaction won" and skipped the rebuild.
    claimed = connection.execute(
        insert(_STATE)
        .values(values)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(_STATE.c.id)
    ).first()
    return claimed is not None


def _insert_for(connection: Connection) -> Any:
    """Return the dialect's ``insert`` (it has ``on_conflict_do_nothing``)."""
    name = connection.dialect.name
    if name == "sqlite":
        return sqlite.insert
    if name == "postgresql":
        return postgresql.insert
    raise UnsupportedDatabaseError(f"activity samples need SQLite or PostgreSQL, not {name}")


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), _CHUNK):
        yield rows[start : start + _CHUNK]


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError(f"timestamps must be timezone-aware, got {moment!r}")
