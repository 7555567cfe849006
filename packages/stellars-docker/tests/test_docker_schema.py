"""stellars-docker's tables come from its migrations, and match its models."""

import pytest
from sqlalchemy import MetaData

from stellars_core.migrations import current, head, upgrade
from stellars_docker.grants import DockerGrant
from stellars_docker.ownership_store import DELETED_ACCOUNTS, VOLUME_OWNERS
from stellars_docker.schema import HISTORY
from stellars_testing.schema import fill_as_before_migrations, rows_of, schema_differences

# The package's two modules with tables, as one schema.
METADATA = MetaData()
for _table in (DockerGrant.__table__, VOLUME_OWNERS, DELETED_ACCOUNTS):
    _table.to_metadata(METADATA)


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
