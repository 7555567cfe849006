"""stellars-docker's tables come from its migrations, and match its models."""

from sqlalchemy import MetaData

from stellars_docker.grants import DockerGrant
from stellars_docker.ownership_store import DELETED_ACCOUNTS, VOLUME_OWNERS
from stellars_docker.policy import GROUP_POLICIES, QUOTA_NOTICES, SERVER_POLICIES
from stellars_docker.schema import HISTORY
from stellars_docker.swarm.placements import PLACEMENTS
from stellars_testing.schema import assert_adopted_with_every_row, assert_migrations_make_the_models

# The tables releases made before migrations, as one schema.
BEFORE_MIGRATIONS = MetaData()
for _table in (DockerGrant.__table__, VOLUME_OWNERS, DELETED_ACCOUNTS):
    _table.to_metadata(BEFORE_MIGRATIONS)
# Every table of the package now.
METADATA = MetaData()
for _table in (
    *BEFORE_MIGRATIONS.tables.values(),
    GROUP_POLICIES,
    SERVER_POLICIES,
    QUOTA_NOTICES,
    PLACEMENTS,
):
    _table.to_metadata(METADATA)


def test_the_migrations_make_exactly_the_models_tables(db_url):
    assert_migrations_make_the_models(db_url, HISTORY, METADATA)


def test_a_database_made_before_migrations_is_adopted_with_every_row(db_url):
    assert_adopted_with_every_row(db_url, HISTORY, BEFORE_MIGRATIONS)
