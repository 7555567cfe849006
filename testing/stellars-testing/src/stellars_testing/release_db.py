"""The previous release's database: its schema as captured, filled as that release fills it.

The platform's tables come from the SQL files captured on the release's
commit (``releases/<version>/platform-<backend>.sql``, written by
``scripts/capture-release-schema.py``), never from today's models; the rows
are written with plain SQL on those tables, with the values that release's
code writes (the activity totals in its reference frame, naive UTC on
SQLite). JupyterHub's own tables are made by JupyterHub.

Imports JupyterHub and SQLAlchemy inside the functions: this package is also
installed in sessions without JupyterHub, which never call them.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from sqlalchemy import Connection, Engine

PREVIOUS_RELEASE = "0.1.0"
RELEASES = Path(__file__).parent / "releases"

# The 0.1.0 platform's activity settings and tick (defaults of stellars_activity).
HALF_LIFE = timedelta(hours=72)
INTERVAL = timedelta(minutes=10)
# (name, hours of 10-minute samples before the last tick, share of them active).
SAMPLED_USERS = (("ada", 72, 0.6), ("grace", 30, 0.25), ("linus", 6, 0.9))
UNSAMPLED_USER = "margaret"  # an account without samples: a Docker-access grant
DELETED_NAME = "ken"
PLATFORM_TABLES = (
    "activity_daily",
    "activity_samples",
    "activity_state",
    "activity_totals",
    "broadcast_history",
    "login_throttle",
    "session_extensions",
    "stellars_deleted_accounts",
    "stellars_docker_grants",
    "stellars_volume_owners",
)


@dataclass(frozen=True)
class ReleaseUser:
    """A JupyterHub user the generator made (``created`` aware UTC)."""

    id: int
    name: str
    admin: bool
    created: datetime
    groups: tuple[str, ...]


@dataclass(frozen=True)
class ReleaseDatabase:
    """What the generator wrote: every row of every platform table, as written.

    Datetimes are aware UTC whatever the backend stores; ``rows[table]`` is in
    the table's primary-key order.
    """

    release: str
    last_tick: datetime
    users: tuple[ReleaseUser, ...]
    rows: dict[str, list[dict[str, Any]]]

    def samples_of(self, username: str) -> list[tuple[datetime, bool]]:
        """Return ``(timestamp, active)`` of every generated sample of *username*, oldest first."""
        return [
            (row["timestamp"], row["active"])
            for row in self.rows["activity_samples"]
            if row["username"] == username
        ]


def schema_sql(backend: str, release: str = PREVIOUS_RELEASE) -> str:
    """Return the captured schema of *release*'s platform tables for *backend* (sqlite, postgresql).

    Raises:
        FileNotFoundError: that release or backend was never captured.
    """
    return (RELEASES / release / f"platform-{backend}.sql").read_text()


def build_release_database(
    db_url: str, *, now: datetime | None = None, release: str = PREVIOUS_RELEASE
) -> ReleaseDatabase:
    """Make *db_url* (an empty database) a database that *release* ran on; return what it holds.

    JupyterHub's tables by JupyterHub, the platform's from the captured
    schema; then users and groups, activity samples over three days with
    their totals, daily counts and state, a session extension, broadcast
    history, a Docker-access grant, a volume owner, a deleted account and a
    login throttle row. *now* (aware, default the clock) is when that release
    last ran; its last activity tick is *now* floored to ten minutes.

    Raises:
        FileNotFoundError: *release* was never captured.
        sqlalchemy.exc.SQLAlchemyError: the database refused the schema or a row.
    """
    from jupyterhub import orm  # noqa: PLC0415 - see the module docstring
    from sqlalchemy import create_engine  # noqa: PLC0415

    now = now or datetime.now(UTC)
    create_release_schema(db_url, release)
    session = orm.new_session_factory(db_url)()
    try:
        users = _add_hub_users(session, orm, now)
    finally:
        session.close()
        session.get_bind().dispose()
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            rows = _fill_platform_tables(connection, users, now)
    finally:
        engine.dispose()
    return ReleaseDatabase(release, _tick(now), users, rows)


def create_release_schema(db_url: str, release: str = PREVIOUS_RELEASE) -> None:
    """Create *release*'s tables, empty, in the empty database at *db_url*.

    JupyterHub's tables and its own version stamp as a new hub makes them,
    the platform's from the captured schema.

    Raises:
        FileNotFoundError: *release* was never captured.
        sqlalchemy.exc.SQLAlchemyError: the database refused the schema.
    """
    from jupyterhub import orm  # noqa: PLC0415 - see the module docstring
    from sqlalchemy import create_engine  # noqa: PLC0415

    engine = create_engine(db_url)
    try:
        _create_platform_schema(engine, schema_sql(engine.dialect.name, release))
    finally:
        engine.dispose()
    session = orm.new_session_factory(db_url)()
    session.close()
    session.get_bind().dispose()


def read_platform_rows(db_url: str) -> dict[str, list[dict[str, Any]]]:
    """Return every row of every platform table of the release, in primary-key order.

    Datetimes come back aware UTC and booleans as bool, whatever the backend,
    so they compare equal to :attr:`ReleaseDatabase.rows`.
    """
    from sqlalchemy import MetaData, create_engine, select  # noqa: PLC0415

    engine = create_engine(db_url)
    try:
        metadata = MetaData()
        metadata.reflect(engine, only=PLATFORM_TABLES)
        found = {}
        with engine.connect() as connection:
            for name in PLATFORM_TABLES:
                table = metadata.tables[name]
                query = select(table).order_by(*table.primary_key.columns)
                found[name] = [_normalised(row._asdict()) for row in connection.execute(query)]
        return found
    finally:
        engine.dispose()


def activity_totals(
    samples: Iterable[tuple[str, datetime, bool]], reference: datetime
) -> dict[str, dict[str, Any]]:
    """Return each user's running totals over *samples* (in write order) in *reference*'s frame.

    What the activity store of the release keeps: ``Σ g·active`` and ``Σ g``
    with ``g = 2 ** ((t - reference) / half_life)``, added one sample at a time.
    """
    totals: dict[str, dict[str, Any]] = {}
    for username, timestamp, active in samples:
        g = _factor(timestamp, reference)
        entry = totals.setdefault(
            username,
            {
                "username": username,
                "weighted_active": 0.0,
                "weighted_total": 0.0,
                "samples": 0,
                "first_sample": timestamp,
                "last_sample": timestamp,
            },
        )
        entry["weighted_active"] += g if active else 0.0
        entry["weighted_total"] += g
        entry["samples"] += 1
        entry["first_sample"] = min(entry["first_sample"], timestamp)
        entry["last_sample"] = max(entry["last_sample"], timestamp)
    return totals


def fill_release_activity(path: Path, users: int, per_user: int, end: datetime) -> int:
    """Fill the release's SQLite file *path* with *users* x *per_user* samples; return how many.

    One sample every ``INTERVAL`` per user (``user0000``, ...), the last one
    an interval before *end*, each user active for a random share of them;
    with the totals, daily counts and state that release keeps with them
    (reference: the first sample), written in one bulk insert. The schema
    must be there (:func:`create_release_schema`).
    """
    import sqlite3  # noqa: PLC0415 - SQLite files only, like the callers

    rng = random.Random(2026)  # noqa: S311 - reproducible test data, not secrets
    samples: list[tuple[str, datetime, bool]] = []
    for number in range(users):
        share = rng.random()
        name = f"user{number:04d}"
        samples.extend(
            (name, end - step * INTERVAL, rng.random() < share) for step in range(per_user, 0, -1)
        )
    reference = end - per_user * INTERVAL
    totals = activity_totals(sorted(samples, key=lambda sample: sample[1]), reference)
    daily: dict[tuple[str, str], int] = {}
    for name, timestamp, active in samples:
        if active:
            key = (name, timestamp.date().isoformat())
            daily[key] = daily.get(key, 0) + 1
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.executemany(
                "INSERT INTO activity_samples (username, timestamp, active) VALUES (?, ?, ?)",
                ((name, _naive_text(t), int(active)) for name, t, active in samples),
            )
            connection.executemany(
                "INSERT INTO activity_totals VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (
                        row["username"],
                        row["weighted_active"],
                        row["weighted_total"],
                        row["samples"],
                        _naive_text(row["first_sample"]),
                        _naive_text(row["last_sample"]),
                    )
                    for row in totals.values()
                ),
            )
            connection.executemany(
                "INSERT INTO activity_daily VALUES (?, ?, ?)",
                ((name, day, count) for (name, day), count in daily.items()),
            )
            connection.execute(
                "INSERT INTO activity_state VALUES (1, ?, ?, ?)",
                (
                    _naive_text(reference),
                    HALF_LIFE.total_seconds(),
                    _naive_text(end - INTERVAL),
                ),
            )
    finally:
        connection.close()
    return len(samples)


def _naive_text(moment: datetime) -> str:
    # How the release's SQLite columns hold a timestamp: naive UTC text.
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def volume_owner_identity(user_id: int, created: datetime) -> str:
    """Return an account's stable identity as the release writes it (user id and creation time)."""
    return f"{user_id}-{created.astimezone(UTC).replace(tzinfo=None):%Y%m%dT%H%M%S%f}"


# ------------------------------------------------------------------ internals


def _create_platform_schema(engine: Engine, sql: str) -> None:
    connection = engine.raw_connection()
    try:
        driver = connection.driver_connection
        if engine.dialect.name == "sqlite":
            driver.executescript(sql)  # type: ignore[union-attr]
        else:
            # pg_dump's script empties search_path for its session: a
            # connection of its own, closed (not pooled) after.
            driver.execute(sql)  # type: ignore[union-attr]
            driver.commit()  # type: ignore[union-attr]
    finally:
        connection.invalidate()


def _add_hub_users(session: Any, orm: Any, now: datetime) -> tuple[ReleaseUser, ...]:
    groups = {name: orm.Group(name=name) for name in ("docker-sock", "docker-privileged")}
    members = {"docker-sock": [UNSAMPLED_USER], "docker-privileged": ["grace"]}
    names = [name for name, _, _ in SAMPLED_USERS] + [UNSAMPLED_USER]
    made = []
    for number, name in enumerate(names):
        # Whole seconds before the first sample of the oldest, so creation precedes samples.
        created = (now - timedelta(days=10 - number, minutes=7 * number)).replace(microsecond=0)
        user = orm.User(name=name, admin=False, created=created.replace(tzinfo=None))
        session.add(user)
        made.append((user, created))
    session.add_all(groups.values())
    session.flush()
    for group_name, member_names in members.items():
        groups[group_name].users = [user for user, _ in made if user.name in member_names]
    session.commit()
    return tuple(
        ReleaseUser(
            id=user.id,
            name=user.name,
            admin=False,
            created=created,
            groups=tuple(sorted(g for g, listed in members.items() if user.name in listed)),
        )
        for user, created in made
    )


def _fill_platform_tables(
    connection: Connection, users: tuple[ReleaseUser, ...], now: datetime
) -> dict[str, list[dict[str, Any]]]:
    from sqlalchemy import MetaData, insert  # noqa: PLC0415

    metadata = MetaData()
    metadata.reflect(connection, only=PLATFORM_TABLES)
    tables = metadata.tables
    by_name = {user.name: user for user in users}
    last_tick = _tick(now)
    samples = list(_samples(last_tick))
    # The store made its frame at its first write: the oldest sample's time.
    reference = min(timestamp for _, timestamp, _ in samples)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in PLATFORM_TABLES}
    rows["activity_samples"] = [
        {"username": u, "timestamp": t, "active": a} for u, t, a in sorted(samples)
    ]
    rows["activity_totals"] = sorted(
        activity_totals(sorted(samples, key=lambda s: s[1]), reference).values(),
        key=lambda row: row["username"],
    )
    rows["activity_daily"] = _daily(samples)
    rows["activity_state"] = [
        {
            "id": 1,
            "reference": reference,
            "half_life_seconds": HALF_LIFE.total_seconds(),
            "last_tick": last_tick,
        }
    ]
    rows["session_extensions"] = [
        {
            "username": "ada",
            "started": last_tick - timedelta(hours=5),
            "deadline": last_tick + timedelta(hours=3),
            "hours_used": 2,
        }
    ]
    margaret = by_name[UNSAMPLED_USER]
    rows["stellars_docker_grants"] = [
        {
            "group": "docker-sock",
            "user_id": margaret.id,
            "username": margaret.name,
            "granted_by": "boss",
            "by_full_admin": True,
            "granted_at": now - timedelta(days=2, minutes=13),
        }
    ]
    ada = by_name["ada"]
    rows["stellars_volume_owners"] = [
        {
            "volume": "jupyterlab-ada_home",
            "owner": volume_owner_identity(ada.id, ada.created),
            "owner_name": "ada",
            "reason": "adopted",
            "recorded_at": now - timedelta(days=9, seconds=41),
        }
    ]
    deleted_created = now - timedelta(days=40)
    rows["stellars_deleted_accounts"] = [
        {
            "identity": volume_owner_identity(len(users) + 7, deleted_created),
            "name": DELETED_NAME,
            "deleted_at": now - timedelta(days=1, hours=2),
        }
    ]
    rows["login_throttle"] = [
        {
            "key": hashlib.sha256(b"account\0grace").hexdigest(),
            "attempts": 3,
            "latest": now - timedelta(minutes=4),
        }
    ]
    dialect = connection.dialect.name
    for name in PLATFORM_TABLES:
        if name != "broadcast_history" and rows[name]:
            connection.execute(insert(tables[name]), [_stored(row, dialect) for row in rows[name]])
    # Without ids, as the release wrote them: the database numbers them (and
    # PostgreSQL's sequence moves on, as it did for that release).
    history = tables["broadcast_history"]
    for row in _broadcasts(now):
        stored = _stored(row, dialect)
        row_id = connection.execute(
            insert(history).values(stored).returning(history.c.id)
        ).scalar_one()
        rows["broadcast_history"].append({"id": row_id, **row})
    return rows


def _samples(last_tick: datetime) -> Iterator[tuple[str, datetime, bool]]:
    rng = random.Random(15)  # noqa: S311 - test data, not secrets
    for name, hours, share in SAMPLED_USERS:
        ticks = int(timedelta(hours=hours) / INTERVAL)
        for step in range(ticks, -1, -1):
            yield name, last_tick - step * INTERVAL, rng.random() < share
    # A user's initial sample, written at creation, off the tick grid.
    yield "linus", last_tick - timedelta(hours=6, minutes=3, seconds=17), False


def _daily(samples: Iterable[tuple[str, datetime, bool]]) -> list[dict[str, Any]]:
    counts: dict[tuple[str, date], int] = {}
    for username, timestamp, active in samples:
        if active:
            key = (username, timestamp.astimezone(UTC).date())
            counts[key] = counts.get(key, 0) + 1
    return [
        {"username": username, "day": day, "active_samples": count}
        for (username, day), count in sorted(counts.items())
    ]


def _broadcasts(now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "sent_at": now - timedelta(days=2, hours=3, microseconds=250),
            "sender": "boss",
            "message": "Maintenance tonight at 22:00: save your work.",
            "variant": "warning",
            "auto_close_ms": None,
            "recipients": 3,
            "delivered": 2,
        },
        {
            "sent_at": now - timedelta(hours=20, seconds=11),
            "sender": "boss",
            "message": "The GPU queue is back <b>&</b> faster.",
            "variant": "success",
            "auto_close_ms": 8000,
            "recipients": 4,
            "delivered": 4,
        },
        {
            "sent_at": now - timedelta(minutes=55),
            "sender": "ada",
            "message": "Reading group moved to Friday.",
            "variant": "info",
            "auto_close_ms": 5000,
            "recipients": 2,
            "delivered": 2,
        },
    ]


def _tick(now: datetime) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((now - epoch) // INTERVAL) * INTERVAL


def _factor(timestamp: datetime, reference: datetime) -> float:
    # In the store's own arithmetic (seconds over seconds), so the sums agree to the bit.
    return float(2.0 ** ((timestamp - reference).total_seconds() / HALF_LIFE.total_seconds()))


def _stored(row: dict[str, Any], dialect: str) -> dict[str, Any]:
    # The release wrote UTC naive on SQLite (it keeps no zone), aware elsewhere.
    if dialect != "sqlite":
        return row
    return {
        key: value.astimezone(UTC).replace(tzinfo=None) if isinstance(value, datetime) else value
        for key, value in row.items()
    }


def _normalised(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC))
        if isinstance(value, datetime)
        else value
        for key, value in row.items()
    }
