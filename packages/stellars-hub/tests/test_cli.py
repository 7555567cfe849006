from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, create_engine

from stellars_core.migrations import VERSION_TABLE, current, head
from stellars_hub.cli import main, settings_table
from stellars_hub.migrations import ACTIVITY, AUTH, DOCKER, UI


def test_check_lists_every_bad_variable_and_fails(monkeypatch, capsys):
    monkeypatch.setenv("JUPYTERHUB_SIGNUP_ENABLED", "yes")
    monkeypatch.setenv("JUPYTERHUB_SPAWN_TIMEOUT", "-1")
    assert main(["check"]) == 1
    error = capsys.readouterr().err
    assert "JUPYTERHUB_SIGNUP_ENABLED='yes'" in error
    assert "JUPYTERHUB_SPAWN_TIMEOUT='-1'" in error


def test_settings_prints_values_with_secrets_masked(monkeypatch, capsys):
    monkeypatch.setenv("JUPYTERHUB_ADMIN_PASSWORD", "hunter2-secret")
    monkeypatch.setenv("JUPYTERHUB_ADMIN", "boss")
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert "JUPYTERHUB_ADMIN='boss'" in out
    assert "JUPYTERHUB_ADMIN_PASSWORD=********" in out
    assert "hunter2-secret" not in out


def test_the_settings_reference_in_the_docs_is_the_generated_one():
    reference = (Path(__file__).parents[3] / "docs" / "settings.md").read_text()
    start = reference.index("<!-- settings-reference:start -->\n") + len(
        "<!-- settings-reference:start -->\n"
    )
    end = reference.index("<!-- settings-reference:end -->")
    assert reference[start:end].strip() == settings_table(), (
        "docs/settings.md is stale: regenerate its table with `stellars-hub reference`"
    )


def test_upgrade_db_upgrades_each_database_and_says_from_what_to_what(
    monkeypatch, capsys, tmp_path
):
    hub_url, activity_url = (f"sqlite:///{tmp_path / name}" for name in ("hub.db", "activity.db"))
    monkeypatch.setenv("JUPYTERHUB_DB_URL", hub_url)
    monkeypatch.setenv("JUPYTERHUB_ACTIVITYMON_DB_URL", activity_url)

    assert main(["upgrade-db"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert main(["upgrade-db"]) == 0
    second = capsys.readouterr().out.splitlines()

    assert current(hub_url) == {history.name: head(history) for history in (AUTH, DOCKER, UI)}
    assert current(activity_url) == {ACTIVITY.name: head(ACTIVITY)}
    assert f"{activity_url} stellars_activity: none -> {head(ACTIVITY)}" in first
    assert f"{hub_url} stellars_auth: none -> {head(AUTH)}" in first
    assert f"{hub_url} stellars_ui: {head(UI)} -> {head(UI)}" in second
    assert len(first) == len(second) == 4


def test_upgrade_db_fails_with_the_cause_and_changes_nothing(monkeypatch, capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = create_engine(url)
    versions = Table(VERSION_TABLE, MetaData(), Column("version_num", String(32), primary_key=True))
    with engine.begin() as connection:
        versions.create(connection)
        connection.execute(versions.insert(), [{"version_num": "stellars_docker_0099"}])
    engine.dispose()
    monkeypatch.setenv("JUPYTERHUB_DB_URL", url)

    assert main(["upgrade-db"]) == 1

    error = capsys.readouterr().err
    assert "nothing changed" in error
    assert "stellars_docker: the database is at revision stellars_docker_0099" in error
    assert current(url) == {"stellars_docker": "stellars_docker_0099"}
