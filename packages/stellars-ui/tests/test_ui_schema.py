"""stellars-ui's tables come from its migrations, and match its models."""

import pytest

from stellars_testing.schema import assert_adopted_with_every_row, assert_migrations_make_the_models
from stellars_ui.broadcasts.history import _BroadcastRow
from stellars_ui.schema import HISTORY

METADATA = _BroadcastRow.metadata


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


def test_the_migrations_make_exactly_the_models_tables(db_url):
    assert_migrations_make_the_models(db_url, HISTORY, METADATA)


def test_a_database_made_before_migrations_is_adopted_with_every_row(db_url):
    assert_adopted_with_every_row(db_url, HISTORY, METADATA)
