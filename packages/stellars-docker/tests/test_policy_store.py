"""Group policies in a real hub database (SQLite and PostgreSQL), and a user's policy read from it.

JupyterHub's own ORM and sessions, with the tables made by the migrations:
revisions, who wrote a Docker grant, a policy that goes with its group, the
built-in groups as policies, and a membership that counts for Docker access
only when a full admin granted it.
"""

from datetime import UTC, datetime

import pytest
from jupyterhub import orm

from stellars_docker import ACTING_GRANTER, Granter, GrantRecorder
from stellars_docker.policy import (
    DockerAccess,
    EnvironmentVariable,
    GroupPolicy,
    PolicySettings,
    RevisionConflictError,
    applied_policies,
    delete_policy,
    read_policies,
    read_policy,
    record_applied,
    register_policy_lifecycle,
    save_policy,
    user_policy,
)
from stellars_docker.schema import HISTORY
from stellars_testing.schema import migrate

GIB = 1024**3
BOSS = Granter("boss", full_admin=True)
DELEGATE = Granter("delegate", full_admin=False)


@pytest.fixture
def db(db_url):
    """A hub database with JupyterHub's tables and ours; every group's memberships recorded."""
    recorder = GrantRecorder(groups=None)
    recorder.loading_configuration = False
    recorder.install()
    uninstall = register_policy_lifecycle()
    session = orm.new_session_factory(db_url)()
    migrate(db_url, HISTORY)
    session.add_all([orm.Group(name=name) for name in ("docker-sock", "research", "course")])
    session.add_all([orm.User(name=name) for name in ("ada", "bo")])
    session.commit()
    yield session
    session.close()
    session.get_bind().dispose()
    uninstall()
    recorder.uninstall()


def join(db, username, group, granter):
    token = ACTING_GRANTER.set(granter)
    try:
        user = db.query(orm.User).filter_by(name=username).one()
        # Held by a name while its collection changes: the ORM keeps objects weakly.
        held = db.query(orm.Group).filter_by(name=group).one()
        held.users.append(user)
        db.commit()
    finally:
        ACTING_GRANTER.reset(token)
    return user


def test_a_policy_is_stored_with_its_revision_and_author(db):
    first = save_policy(db, "research", GroupPolicy(cpu_limit=4.0), by="boss", by_full_admin=True)
    assert (first.revision, first.updated_by, first.policy.cpu_limit) == (1, "boss", 4.0)
    assert first.updated_at.tzinfo is not None
    second = save_policy(
        db, "research", GroupPolicy(mem_limit=8 * GIB), by="bo", by_full_admin=False
    )
    assert second.revision == 2
    assert read_policy(db, "research").policy == GroupPolicy(mem_limit=8 * GIB)
    assert set(read_policies(db)) == {"research"}
    assert read_policies(db, ["course"]) == {}


def test_a_save_from_a_stale_revision_changes_nothing(db):
    save_policy(db, "course", GroupPolicy(cpu_limit=1.0), by="boss", by_full_admin=True)
    save_policy(db, "course", GroupPolicy(cpu_limit=0.5), by="bo", by_full_admin=False)
    with pytest.raises(RevisionConflictError, match="revision 2, not 1"):
        save_policy(
            db,
            "course",
            GroupPolicy(cpu_limit=8.0),
            by="boss",
            by_full_admin=True,
            expected_revision=1,
        )
    assert read_policy(db, "course").policy.cpu_limit == 0.5
    with pytest.raises(RevisionConflictError):
        save_policy(db, "research", GroupPolicy(), by="b", by_full_admin=True, expected_revision=3)


def test_docker_access_is_trusted_only_from_a_full_admin_and_kept_while_unchanged(db):
    access = GroupPolicy(docker_access=DockerAccess.SOCKET)
    save_policy(db, "research", access, by="bo", by_full_admin=False)
    assert not read_policy(db, "research").docker_access_by_full_admin
    save_policy(db, "research", access, by="boss", by_full_admin=True)
    assert read_policy(db, "research").docker_access_by_full_admin
    # A delegate editing the memory leaves the admin's grant as it was.
    edited = access.model_copy(update={"mem_limit": GIB})
    save_policy(db, "research", edited, by="bo", by_full_admin=False)
    assert read_policy(db, "research").docker_access_by_full_admin
    # Raising it is a new grant, and not a full admin's.
    raised = edited.model_copy(update={"docker_access": DockerAccess.PRIVILEGED})
    save_policy(db, "research", raised, by="bo", by_full_admin=False)
    assert not read_policy(db, "research").docker_access_by_full_admin


def test_a_policy_goes_with_its_group(db):
    save_policy(db, "research", GroupPolicy(docker_access="socket"), by="boss", by_full_admin=True)
    db.delete(db.query(orm.Group).filter_by(name="research").one())
    db.commit()
    db.add(orm.Group(name="research"))
    db.commit()
    assert read_policy(db, "research") is None
    assert delete_policy(db, "research") is False


def test_a_users_policy_is_read_from_their_groups_now(db):
    ada = join(db, "ada", "research", BOSS)
    join(db, "ada", "course", BOSS)
    settings = PolicySettings(default=GroupPolicy(cpu_limit=0.5, mem_limit=GIB))
    assert user_policy(db, ada, settings).values == {"cpu_limit": 0.5, "mem_limit": GIB}
    save_policy(
        db,
        "research",
        GroupPolicy(
            cpu_limit=4.0, priority=1, environment=(EnvironmentVariable(name="T", value="r"),)
        ),
        by="boss",
        by_full_admin=True,
    )
    save_policy(
        db,
        "course",
        GroupPolicy(cpu_limit=1.0, environment=(EnvironmentVariable(name="T", value="c"),)),
        by="boss",
        by_full_admin=True,
    )
    policy = user_policy(db, ada, settings)
    assert policy.values == {"cpu_limit": 4.0, "mem_limit": GIB}
    assert policy.environment["T"].value == "r"
    assert policy.groups == ("research", "course")


def test_a_built_in_group_is_a_policy_whose_access_counts_from_a_full_admins_grant(db):
    ada = join(db, "ada", "docker-sock", BOSS)
    bo = join(db, "bo", "docker-sock", DELEGATE)
    settings = PolicySettings()
    assert user_policy(db, ada, settings).docker_access is DockerAccess.SOCKET
    assert user_policy(db, bo, settings).docker_access is DockerAccess.NONE
    # Stored fields add to the built-in group; its access stays what it is.
    save_policy(db, "docker-sock", GroupPolicy(cpu_limit=2.0), by="boss", by_full_admin=True)
    policy = user_policy(db, ada, settings)
    assert (policy.docker_access, policy.values["cpu_limit"]) == (DockerAccess.SOCKET, 2.0)


def test_a_groups_docker_access_needs_a_full_admin_for_the_policy_and_the_membership(db, caplog):
    ada = join(db, "ada", "research", BOSS)
    bo = join(db, "bo", "research", DELEGATE)
    settings = PolicySettings()
    access = GroupPolicy(docker_access="socket")
    save_policy(db, "research", access, by="delegate", by_full_admin=False)
    assert user_policy(db, ada, settings).docker_access is DockerAccess.NONE
    assert "The policy of research grants Docker access, but no full admin wrote it" in caplog.text
    save_policy(db, "research", access, by="boss", by_full_admin=True)
    assert user_policy(db, ada, settings).docker_access is DockerAccess.SOCKET
    assert user_policy(db, bo, settings).docker_access is DockerAccess.NONE
    assert "bo is in research by delegate, who is not a full admin" in caplog.text


def test_what_each_server_started_under_is_kept_per_server(db):
    ada = db.query(orm.User).filter_by(name="ada").one()
    record_applied(db, ada.id, "", "aaaa", None)
    record_applied(db, ada.id, "gpu", "bbbb", "big")
    db.commit()
    record_applied(db, ada.id, "", "cccc", "small")
    db.commit()
    applied = applied_policies(db)
    assert {key: (a.fingerprint, a.profile) for key, a in applied.items()} == {
        (ada.id, ""): ("cccc", "small"),
        (ada.id, "gpu"): ("bbbb", "big"),
    }
    assert applied[(ada.id, "")].applied_at <= datetime.now(UTC)
    db.delete(ada)
    db.commit()
    assert applied_policies(db) == {}
