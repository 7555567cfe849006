import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # The store fixture asks for PostgreSQL only in its "postgresql" case, at
    # run time. Naming the fixture on those cases (a list of their own: the
    # cases of one test share the original) lets the stellars-testing plugin
    # count them in the database layer and `-m database` select them.
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("database_url") == "postgresql":
            item.fixturenames = [*item.fixturenames, "postgres_db_url"]
