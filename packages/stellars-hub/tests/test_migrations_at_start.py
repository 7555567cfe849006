"""The platform's tables are upgraded when the hub starts, and a failed upgrade stops it."""

import pytest
from sqlalchemy import Column, MetaData, String, Table, create_engine, inspect
from sqlalchemy.engine import make_url

from stellars_core.migrations import VERSION_TABLE, current, head
from stellars_hub.migrations import ACTIVITY, AUTH, DOCKER, UI

SETTINGS = {"JUPYTERHUB_ADMIN": "admin", "JUPYTERHUB_ADMIN_PASSWORD": "migrations-admin-password"}
PLATFORM_TABLES = {
    "login_throttle",
    "stellars_docker_grants",
    "stellars_volume_owners",
    "stellars_deleted_accounts",
    "broadcast_history",
    "activity_samples",
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


def _tables(db_url):
    engine = create_engine(db_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_starting_hub_brings_every_platform_table_to_its_head(platform_hub, db_url):
    hub = platform_hub(SETTINGS, db_url=db_url)

    assert hub.api("GET", "stellars/info").status_code == 200
    assert current(db_url) == {
        history.name: head(history) for history in (AUTH, DOCKER, UI, ACTIVITY)
    }


def test_the_activity_tables_go_to_their_own_database_when_one_is_set(platform_hub, tmp_path):
    activity_url = f"sqlite:///{tmp_path / 'activity.sqlite'}"
    hub = platform_hub({**SETTINGS, "JUPYTERHUB_ACTIVITYMON_DB_URL": activity_url})

    assert current(activity_url) == {ACTIVITY.name: head(ACTIVITY)}
    assert current(hub.db_url) == {history.name: head(history) for history in (AUTH, DOCKER, UI)}


def test_a_failed_migration_stops_the_hub_and_leaves_the_database_as_it_was(platform_hub, db_url):
    # A database a newer release upgraded: its broadcast history is at a
    # revision this release does not have, which fails the upgrade after the
    # auth and Docker histories were applied in the same transaction.
    engine = create_engine(db_url)
    versions = Table(VERSION_TABLE, MetaData(), Column("version_num", String(32), primary_key=True))
    with engine.begin() as connection:
        versions.create(connection)
        connection.execute(versions.insert(), [{"version_num": "stellars_ui_0099"}])
    engine.dispose()

    with pytest.raises(AssertionError, match="the hub exited") as stopped:
        platform_hub(SETTINGS, db_url=db_url)

    log = str(stopped.value)
    assert "MigrationError" in log
    assert "stellars_ui: the database is at revision stellars_ui_0099" in log
    assert _tables(db_url) == {VERSION_TABLE}
    assert current(db_url) == {"stellars_ui": "stellars_ui_0099"}


def test_the_platforms_tables_reach_postgresql_with_the_password_from_a_file(
    platform_hub, postgres_db_url, tmp_path
):
    # As deploy/stack.yml runs it: the URL without the password, which a
    # swarm secret holds.
    url = make_url(postgres_db_url)
    secret = tmp_path / "db-password"
    secret.write_text(f"{url.password}\n")
    without_password = f"{url.drivername}://{url.username}@{url.host}:{url.port}/{url.database}"
    platform_hub(
        {
            **SETTINGS,
            "JUPYTERHUB_DB_URL": without_password,
            "JUPYTERHUB_DB_PASSWORD_FILE": str(secret),
        },
        db_url=postgres_db_url,
    )

    assert current(postgres_db_url) == {
        history.name: head(history) for history in (AUTH, DOCKER, UI, ACTIVITY)
    }
