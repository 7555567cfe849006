"""stellars-ui's tables come from its migrations, and match its models."""

import pytest

from stellars_core.migrations import current, head, upgrade
from stellars_testing.schema import fill_as_before_migrations, rows_of, schema_differences
from stellars_ui.broadcasts.history import _BroadcastRow
from stellars_ui.schema import HISTORY

METADATA = _BroadcastRow.metadata


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


def test_the_migrations_make_exactly_the_models_tables(db_url):
    upgrade(db_url, [HISTORY])

    assert schema_differences(db_url, METADATA) == []
    assert current(db_url) == {HISTORY.name: head(HISTORY)}


def test_a_database_made_before_migrations_is_adopted_with_every_row(db_url):
    fill_as_before_migrations(db_url, METADATA)
    before = rows_of(db_url, METADATA)

    upgrade(db_url, [HISTORY])

    assert rows_of(db_url, METADATA) == before
    assert all(before.values())
    assert current(db_url) == {HISTORY.name: head(HISTORY)}
    assert schema_differences(db_url, METADATA) == []
