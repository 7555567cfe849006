"""What the schema tests of every package compare: a database against a package's models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, select

if TYPE_CHECKING:
    from sqlalchemy import Engine, MetaData

    from stellars_core.migrations import SchemaHistory


def schema_differences(db_url: str, metadata: MetaData) -> list[Any]:
    """Return alembic's differences between the database at *db_url* and *metadata*.

    Only *metadata*'s own tables count: the version table and the tables of
    other packages (or of JupyterHub) in the same database are not compared.
    """

    def ours(name: str | None, kind: str, _parent: Any) -> bool:
        return kind != "table" or name in metadata.tables

    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": ours}
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def rows_of(db_url: str, metadata: MetaData) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of each of *metadata*'s tables, sorted, by table name."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return {
                name: sorted(tuple(row) for row in connection.execute(select(table)))
                for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()


def fill_as_before_migrations(db_url: str, metadata: MetaData, rows: int = 3) -> None:
    """Make *metadata*'s tables as releases before migrations did (``create_all``), with rows.

    Each table gets *rows* rows of distinct values of each column's type.
    """
    engine = create_engine(db_url)
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            for table in metadata.sorted_tables:
                values = [
                    {column.name: _value(column.type, n) for column in table.columns}
                    for n in range(1, rows + 1)
                ]
                connection.execute(table.insert(), values)
    finally:
        engine.dispose()


def _value(column_type: Any, n: int) -> Any:
    # A TypeDecorator (UTCDateTime) says its Python type through the type it decorates.
    kind = getattr(column_type, "impl", column_type).python_type
    # bool before int: bool is an int.
    made: dict[type, Any] = {
        bool: n % 2 == 0,
        int: n,
        float: n / 3,
        str: f"value-{n}",
        datetime: datetime(2026, 1, n, 12, 30, tzinfo=UTC),
        date: date(2026, 1, n),
    }
    for known, value in made.items():
        if issubclass(kind, known):
            return value
    raise TypeError(f"no sample value for a {kind.__name__} column")


def migrate(target: Engine | str, *histories: SchemaHistory) -> None:
    """Make the tables of *histories* in *target* (an engine or a URL) as the hub does at start."""
    # Imported here: only the packages' sessions that have tables use this, and each has core.
    from stellars_core.migrations import upgrade  # noqa: PLC0415

    url = target if isinstance(target, str) else target.url.render_as_string(hide_password=False)
    upgrade(url, histories)


def assert_migrations_make_the_models(
    db_url: str, history: SchemaHistory, metadata: MetaData
) -> None:
    """Upgrade an empty database to *history*'s head; it must hold exactly *metadata*'s tables."""
    from stellars_core.migrations import current, head, upgrade  # noqa: PLC0415 - see migrate()

    upgrade(db_url, [history])

    assert schema_differences(db_url, metadata) == []
    assert current(db_url) == {history.name: head(history)}


def assert_adopted_with_every_row(db_url: str, history: SchemaHistory, metadata: MetaData) -> None:
    """A database *metadata* made before migrations, with rows, is brought to head untouched."""
    from stellars_core.migrations import current, head, upgrade  # noqa: PLC0415 - see migrate()

    fill_as_before_migrations(db_url, metadata)
    before = rows_of(db_url, metadata)

    upgrade(db_url, [history])

    assert rows_of(db_url, metadata) == before
    assert all(before.values())
    assert current(db_url) == {history.name: head(history)}
    assert schema_differences(db_url, metadata) == []
