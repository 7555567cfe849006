"""stellars-activity's tables come from its migrations, and match its models."""

import pytest
from sqlalchemy import MetaData

from stellars_activity.model import Base, CullWarningSent
from stellars_activity.schema import HISTORY
from stellars_testing.schema import (
    assert_adopted_with_every_row,
    assert_migrations_make_the_models,
    schema_differences,
)

METADATA = Base.metadata
# The tables releases made before migrations: every one but those later revisions added.
BEFORE_MIGRATIONS = MetaData()
for _table in METADATA.tables.values():
    if _table is not CullWarningSent.__table__:
        _table.to_metadata(BEFORE_MIGRATIONS)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


def test_the_migrations_make_exactly_the_models_tables(db_url):
    assert_migrations_make_the_models(db_url, HISTORY, METADATA)


def test_a_database_made_before_migrations_is_adopted_with_every_row(db_url):
    # Then brought to head: the cull-warnings table is added beside the rows kept.
    assert_adopted_with_every_row(db_url, HISTORY, BEFORE_MIGRATIONS)
    assert schema_differences(db_url, METADATA) == []
