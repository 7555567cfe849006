"""Fixtures the package's database tests share."""

import pytest


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    """An empty hub database: a SQLite file, or a new database on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    return request.getfixturevalue("postgres_db_url")
