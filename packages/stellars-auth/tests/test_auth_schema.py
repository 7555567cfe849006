"""stellars-auth's tables come from its migrations, and match its models."""

import pytest
from sqlalchemy import MetaData

from stellars_auth.lockout import ThrottleRow
from stellars_auth.schema import HISTORY
from stellars_auth.signups import SignUpRow
from stellars_testing.schema import assert_adopted_with_every_row, assert_migrations_make_the_models

# The tables releases made before migrations.
BEFORE_MIGRATIONS = ThrottleRow.metadata
# Every table of the package now.
METADATA = MetaData()
for _table in (ThrottleRow.__table__, SignUpRow.__table__):
    _table.to_metadata(METADATA)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


def test_the_migrations_make_exactly_the_models_tables(db_url):
    assert_migrations_make_the_models(db_url, HISTORY, METADATA)


def test_a_database_made_before_migrations_is_adopted_with_every_row(db_url):
    assert_adopted_with_every_row(db_url, HISTORY, BEFORE_MIGRATIONS)
