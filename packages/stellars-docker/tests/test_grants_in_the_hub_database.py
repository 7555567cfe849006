"""The grants table in a real hub database, SQLite and PostgreSQL.

JupyterHub's own ORM and session, as the hub uses them: a membership of a
Docker-access group changed by a full admin, by a group-filtered token, a
removal and a group deletion, each recorded in the same transaction as the
change (a rolled-back change leaves no record), and what the admin page and
a spawn make of the records.
"""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from jupyterhub import orm
from sqlalchemy import select

from stellars_docker import (
    ACTING_GRANTER,
    DockerGrant,
    Granter,
    GrantRecorder,
    grants_by_group,
    honoured_groups,
)
from stellars_docker.schema import HISTORY
from stellars_testing.schema import migrate

BOSS = Granter("boss", full_admin=True)
KEEPER = Granter("keeper", full_admin=False)  # holds admin:groups!group=docker-privileged


@pytest.fixture
def recorder():
    recorder = GrantRecorder()
    recorder.loading_configuration = False  # the hub serves: no change is the operator's
    recorder.install()
    yield recorder
    recorder.uninstall()


@pytest.fixture
def db(db_url, recorder):
    """A session on a hub database with JupyterHub's tables, ours and the two groups."""
    session = orm.new_session_factory(db_url)()
    migrate(db_url, HISTORY)
    session.add_all([orm.Group(name="docker-sock"), orm.Group(name="docker-privileged")])
    session.add_all([orm.User(name=name) for name in ("ada", "bo", "cy")])
    session.commit()
    yield session
    session.close()
    session.get_bind().dispose()


@contextmanager
def acting_as(granter):
    token = ACTING_GRANTER.set(granter)
    try:
        yield
    finally:
        ACTING_GRANTER.reset(token)


def _group(db, name):
    return db.query(orm.Group).filter_by(name=name).one()


def _user(db, name):
    return orm.User.find(db, name)


def append(group, user):
    # The group is held by a name while its collection changes, as the hub's
    # handlers hold it: the ORM keeps objects weakly, and the listener reads it.
    group.users.append(user)


def remove(group, user):
    group.users.remove(user)


def _records(db):
    return {
        (grant.group, grant.username): (grant.granted_by, grant.by_full_admin)
        for grant in db.scalars(select(DockerGrant))
    }


def test_grants_removals_and_deletions_are_recorded_with_the_change(db):
    started = datetime.now(UTC) - timedelta(seconds=5)
    with acting_as(BOSS):
        append(_group(db, "docker-sock"), _user(db, "ada"))
        db.commit()
    with acting_as(KEEPER):
        append(_group(db, "docker-privileged"), _user(db, "bo"))
        db.commit()
    assert _records(db) == {
        ("docker-sock", "ada"): ("boss", True),
        ("docker-privileged", "bo"): ("keeper", False),
    }
    assert honoured_groups(db, _user(db, "ada"), ["docker-sock", "staff"]) == {
        "docker-sock",
        "staff",
    }
    assert honoured_groups(db, _user(db, "bo"), ["docker-privileged"]) == set()
    granted_at = grants_by_group(db)["docker-sock"][0].granted_at
    assert started <= granted_at <= datetime.now(UTC)

    # The hub's change rolled back takes its record with it: one transaction.
    with acting_as(BOSS):
        append(_group(db, "docker-sock"), _user(db, "cy"))
        db.flush()
        assert ("docker-sock", "cy") in _records(db)
        db.rollback()
    assert ("docker-sock", "cy") not in _records(db)
    assert "cy" not in [user.name for user in _group(db, "docker-sock").users]

    with acting_as(BOSS):
        remove(_group(db, "docker-sock"), _user(db, "ada"))
        db.commit()
    assert ("docker-sock", "ada") not in _records(db)

    with acting_as(BOSS):
        db.delete(_group(db, "docker-privileged"))
        db.commit()
    assert _records(db) == {}


def test_the_list_says_which_memberships_count_and_why_not(db, recorder):
    with acting_as(BOSS):
        append(_group(db, "docker-sock"), _user(db, "ada"))
        db.commit()
    with acting_as(KEEPER):
        append(_group(db, "docker-sock"), _user(db, "bo"))
        db.commit()
    # A membership made with nobody recording it: from before grants were recorded.
    recorder.uninstall()
    append(_group(db, "docker-sock"), _user(db, "cy"))
    db.commit()

    grouped = grants_by_group(db)
    assert list(grouped) == ["docker-sock", "docker-privileged"]
    assert grouped["docker-privileged"] == []
    sock = {record.username: record for record in grouped["docker-sock"]}
    assert list(sock) == ["ada", "bo", "cy"]
    assert sock["ada"].counts_at_spawn
    assert sock["ada"].ignored_because is None
    assert sock["ada"].fix is None
    assert not sock["bo"].counts_at_spawn
    assert sock["bo"].ignored_because == "granted by keeper, who is not a full admin"
    assert "remove bo from docker-sock and add them again" in sock["bo"].fix
    assert sock["cy"].granted_by is None
    assert sock["cy"].granted_at is None
    assert not sock["cy"].counts_at_spawn
    assert sock["cy"].ignored_because.startswith("no recorded grant")
    assert honoured_groups(db, _user(db, "cy"), ["docker-sock"]) == set()
