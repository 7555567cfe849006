"""Fixtures the stellars-activity tests share."""

import pytest

from stellars_activity import ActivityStore
from stellars_activity.schema import HISTORY
from stellars_testing.schema import migrate


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def engine(request, tmp_path):
    """The engine of a store migrated to the newest schema, on SQLite and on PostgreSQL."""
    url = (
        f"sqlite:///{tmp_path / 'activity.sqlite'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_db_url")
    )
    store = ActivityStore(url)
    migrate(store.engine, HISTORY)
    yield store.engine
    store.engine.dispose()
