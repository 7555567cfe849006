"""Fixtures the package's database tests share."""

import pytest
from jupyterhub import orm

from stellars_docker.ownership_store import register_account_deletes
from stellars_docker.schema import HISTORY
from stellars_testing.schema import migrate


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    """An empty hub database: a SQLite file, or a new database on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


@pytest.fixture
def hub_db(db_url):
    """A session of a real JupyterHub database, with the platform's ownership tables."""
    session = orm.new_session_factory(db_url)()
    migrate(db_url, HISTORY)
    uninstall = register_account_deletes()
    yield session
    uninstall()
    session.close()
    session.get_bind().dispose()
