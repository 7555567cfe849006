"""Schema migrations of the platform's own tables, with alembic, in one transaction.

Each package that owns tables keeps its revision scripts in a folder of its
own (a :class:`SchemaHistory`, one alembic branch). :func:`upgrade` brings a
database to the head of every history it is given, all in one transaction:
a revision that fails leaves the database exactly as it was, on PostgreSQL
(transactional DDL) and on SQLite (whose driver would otherwise commit
before every DDL statement; see :func:`_engine`).

The platform's version table is its own (:data:`VERSION_TABLE`), never
JupyterHub's ``alembic_version``, so the hub's schema and ours move
independently in the same database.

A revision's id is ``<history name>_<number>`` (``stellars_activity_0001``):
the version table then says by itself which package is at which step, which
is what :func:`current` reads, and what an operator sees in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event

if TYPE_CHECKING:
    from collections.abc import Sequence

    from alembic.script import Script
    from sqlalchemy import Connection

VERSION_TABLE = "stellars_alembic_version"
# Alembic's version column is VARCHAR(32): a name leaves room for "_NNNN".
_MAX_NAME = 27
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_ENV = Path(__file__).parent / "migrations_env"


class MigrationError(Exception):
    """A history could not be brought to its head; the database is as it was before."""


@dataclass(frozen=True)
class SchemaHistory:
    """One package's revision scripts: an alembic branch labelled *name*, kept in *versions*."""

    name: str
    versions: Path


def upgrade(db_url: str, histories: Sequence[SchemaHistory]) -> None:
    """Bring the database at *db_url* to the head of every one of *histories*, in one transaction.

    Raises:
        MigrationError: a history is malformed or one of its revisions failed;
            the message names the history, the revision and the cause, and
            nothing of this call is left in the database.
    """
    scripts = [(history, _script(history)) for history in histories]
    engine = _engine(db_url)
    try:
        with engine.connect() as connection, connection.begin():
            for history, script in scripts:
                _upgrade_history(connection, history, script)
    finally:
        engine.dispose()


def current(db_url: str, histories: Sequence[SchemaHistory] = ()) -> dict[str, str | None]:
    """Return each history's applied revision in the database at *db_url*, by history name.

    Every history found in the version table is there; each of *histories*
    is there too, with None when none of its revisions is applied.

    Raises:
        MigrationError: the version table holds a revision id that names no history.
    """
    found: dict[str, str | None] = {history.name: None for history in histories}
    engine = _engine(db_url)
    try:
        with engine.connect() as connection:
            heads = _heads(connection)
    finally:
        engine.dispose()
    for revision in sorted(heads):
        name, _, number = revision.rpartition("_")
        if not name or not number.isdigit():
            raise MigrationError(f"{VERSION_TABLE} holds {revision!r}, which names no history")
        found[name] = revision
    return found


def head(history: SchemaHistory) -> str:
    """Return the newest revision of *history*.

    Raises:
        MigrationError: the history is malformed (see :func:`upgrade`).
    """
    heads = _script(history).get_heads()
    return str(heads[0])


def _engine(db_url: str) -> Engine:
    engine = create_engine(db_url)
    if engine.dialect.name == "sqlite":
        # SQLAlchemy's documented recipe for SQLite transactions: the driver
        # opens no transaction of its own (it would commit before each DDL
        # statement), and BEGIN IMMEDIATE is emitted when SQLAlchemy begins
        # one, so CREATE TABLE rolls back with the rest and a second
        # process upgrading at the same time waits instead of interleaving.
        event.listen(engine, "connect", _driver_autocommit)
        event.listen(engine, "begin", _begin_immediate)
    return engine


def _driver_autocommit(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _script(history: SchemaHistory) -> ScriptDirectory:
    if len(history.name) > _MAX_NAME or not _NAME.fullmatch(history.name):
        raise MigrationError(
            f"{history.name!r}: a history name is lower-case letters, digits and '_', "
            f"at most {_MAX_NAME} characters"
        )
    if not history.versions.is_dir():
        raise MigrationError(f"{history.name}: no revision folder at {history.versions}")
    script = ScriptDirectory(str(_ENV), version_locations=[str(history.versions)])
    revisions = list(script.walk_revisions())
    if len(script.get_heads()) != 1 or len(script.get_bases()) != 1:
        raise MigrationError(f"{history.name}: its revisions must form one line from one base")
    for revision in revisions:
        if not re.fullmatch(rf"{history.name}_\d{{4}}", revision.revision):
            raise MigrationError(
                f"{history.name}: revision {revision.revision!r} must be named "
                f"{history.name}_NNNN ({revision.path})"
            )
    return script


def _heads(connection: Connection) -> tuple[str, ...]:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_heads()


def _upgrade_history(
    connection: Connection, history: SchemaHistory, script: ScriptDirectory
) -> None:
    # Oldest first; one revision at a time, so a failure names its revision.
    line: list[Script] = list(reversed(list(script.walk_revisions())))
    ids = [revision.revision for revision in line]
    heads = [head for head in _heads(connection) if head.rpartition("_")[0] == history.name]
    unknown = [head for head in heads if head not in ids]
    if unknown:
        # A newer release upgraded this database: going on would lose track of its schema.
        raise MigrationError(
            f"{history.name}: the database is at revision {unknown[0]}, which this release "
            f"does not have (its newest is {ids[-1]}); run the release that made it"
        )
    applied = [head for head in heads if head in ids]
    start = ids.index(applied[0]) + 1 if applied else 0
    for revision in line[start:]:
        try:
            _run(connection, script, revision.revision)
        except Exception as error:
            raise MigrationError(
                f"{history.name}: revision {revision.revision} ({revision.doc}) failed: "
                f"{type(error).__name__}: {error}"
            ) from error


def _run(connection: Connection, script: ScriptDirectory, destination: str) -> None:
    known = {revision.revision for revision in script.walk_revisions()}

    def steps(heads: Any, _context: Any) -> Any:
        # Other histories' rows in the shared version table are not this
        # script directory's business: alembic would fail to find them.
        own = tuple(head for head in heads if head in known)
        # What `alembic upgrade` itself calls, with the heads as it passes
        # them (a tuple, though the method is annotated str).
        return script._upgrade_revs(destination, own)  # type: ignore[arg-type]  # noqa: SLF001

    config = Config()
    config.attributes["connection"] = connection
    with EnvironmentContext(config, script, fn=steps, destination_rev=destination):
        script.run_env()
