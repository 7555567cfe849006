"""The hub's SQLite files are readable by their owner only, new or already there."""

import os
import stat
from pathlib import Path

import pytest

from stellars_hub.state_files import restrict_to_owner, sqlite_path

ADMIN_PASSWORD = "state-files-admin-password"
SETTINGS = {"JUPYTERHUB_ADMIN": "admin", "JUPYTERHUB_ADMIN_PASSWORD": ADMIN_PASSWORD}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "sqlite:////srv/hub/jupyterhub.sqlite", "/srv/hub/jupyterhub.sqlite", id="abs"
        ),
        pytest.param("sqlite://", None, id="memory-default"),
        pytest.param("sqlite:///:memory:", None, id="memory"),
        pytest.param("postgresql://hub@db/jupyterhub", None, id="postgresql"),
        pytest.param("sqlite:///file:hub.db?mode=ro&uri=true", None, id="sqlite-uri"),
    ],
)
def test_sqlite_path_names_the_file_of_a_sqlite_url_only(url, expected):
    path = sqlite_path(url)
    assert (str(path) if path else None) == expected


def test_a_relative_sqlite_url_is_the_file_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert sqlite_path("sqlite:///jupyterhub.sqlite") == tmp_path / "jupyterhub.sqlite"


def test_a_new_database_file_is_created_owner_only(tmp_path):
    old_umask = os.umask(0o022)
    try:
        path = restrict_to_owner(f"sqlite:///{tmp_path / 'new.sqlite'}")
    finally:
        os.umask(old_umask)
    assert path == tmp_path / "new.sqlite"
    assert mode(path) == 0o600
    assert path.stat().st_size == 0


def test_an_existing_database_loses_group_and_other_bits_and_keeps_its_bytes(tmp_path):
    path = tmp_path / "old.sqlite"
    path.write_bytes(b"SQLite format 3\x00")
    path.chmod(0o664)
    restrict_to_owner(f"sqlite:///{path}")
    assert mode(path) == 0o600
    assert path.read_bytes() == b"SQLite format 3\x00"


def test_other_databases_are_left_alone():
    assert restrict_to_owner("postgresql://hub@127.0.0.1/jupyterhub") is None


def test_a_running_platform_keeps_its_databases_and_secrets_owner_only(platform_hub, tmp_path):
    # The umask a hub is usually started with: what SQLite would use otherwise.
    old_umask = os.umask(0o022)
    try:
        activity_db = tmp_path / "activity.sqlite"
        hub = platform_hub(
            {**SETTINGS, "JUPYTERHUB_ACTIVITYMON_DB_URL": f"sqlite:///{activity_db}"}
        )
    finally:
        os.umask(old_umask)
    hub_db = Path(hub.db_url.removeprefix("sqlite:///"))
    cookie_secret = hub_db.parent / "cookie_secret"
    assert hub.api("GET", "stellars/info").status_code == 200
    for path in (hub_db, activity_db, cookie_secret):
        assert path.stat().st_size > 0, path
        assert mode(path) & 0o077 == 0, f"{path} is mode {mode(path):o}"
