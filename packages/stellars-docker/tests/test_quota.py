"""A user's volumes against their quota, and the crossings each user is told of once."""

from datetime import UTC, datetime

import pytest
from jupyterhub import orm

from stellars_docker import DockerGrant
from stellars_docker.policy import (
    QUOTA_NOTICES,
    GroupPolicy,
    PolicySettings,
    QuotaCrossing,
    QuotaLevel,
    effective_policy,
    quota_crossings,
    quota_state,
    record_notices,
    save_policy,
    user_policies,
    user_policy,
)
from stellars_docker.schema import HISTORY
from stellars_testing.schema import migrate

GIB = 1024**3
TEN_GIB = GroupPolicy(volume_quota=10 * GIB, volume_warning_percent=80)


@pytest.mark.parametrize(
    ("used", "level", "percent"),
    [
        pytest.param(None, QuotaLevel.UNKNOWN, None, id="not-measured"),
        pytest.param(0, QuotaLevel.OK, 0.0, id="empty"),
        pytest.param(8 * GIB - 1, QuotaLevel.OK, 100 * (8 * GIB - 1) / (10 * GIB), id="under-80"),
        pytest.param(8 * GIB, QuotaLevel.WARNING, 80.0, id="at-80"),
        pytest.param(10 * GIB, QuotaLevel.WARNING, 100.0, id="at-quota"),
        pytest.param(10 * GIB + 1, QuotaLevel.OVER, 100 * (10 * GIB + 1) / (10 * GIB), id="over"),
    ],
)
def test_quota_state_by_bytes_used(used, level, percent):
    state = quota_state(effective_policy({"course": TEN_GIB}), used)

    assert state.level is level
    assert state.percent == percent
    assert (state.quota_bytes, state.used_bytes) == (10 * GIB, used)
    assert (state.warning_percent, state.source) == (80, "course")


def test_no_quota_is_never_a_warning():
    state = quota_state(effective_policy({"course": GroupPolicy(mem_limit=GIB)}), 500 * GIB)

    assert state.level is QuotaLevel.OK
    assert (state.quota_bytes, state.percent, state.source) == (None, None, None)
    assert state.used_bytes == 500 * GIB


def test_the_default_policy_quota_counts_with_its_threshold():
    default = GroupPolicy(volume_quota=GIB, volume_warning_percent=50)

    state = quota_state(effective_policy({}, default), GIB // 2)

    assert state.level is QuotaLevel.WARNING
    assert state.source == "(default policy)"


@pytest.fixture
def db(db_url):
    """A session on a hub database with JupyterHub's tables and ours."""
    session = orm.new_session_factory(db_url)()
    migrate(db_url, HISTORY)
    yield session
    session.close()
    session.get_bind().dispose()


def _told(db):
    return {row.user_id: row.level for row in db.execute(QUOTA_NOTICES.select())}


def test_each_crossing_is_told_once_and_a_fall_below_tells_the_next_again(db):
    # 1 crosses the threshold, 2 is over at once, 3 stays ok, 4 is not measured.
    levels = {1: QuotaLevel.WARNING, 2: QuotaLevel.OVER, 3: QuotaLevel.OK, 4: QuotaLevel.UNKNOWN}
    crossings = quota_crossings(db, levels)
    assert crossings == [QuotaCrossing(1, QuotaLevel.WARNING), QuotaCrossing(2, QuotaLevel.OVER)]
    record_notices(db, crossings)

    # The next refresh (or a restarted hub: a new session) tells nobody again.
    db.close()
    assert quota_crossings(db, levels) == []
    # Warning to over is a crossing of its own; an unknown size forgets nothing.
    levels = {1: QuotaLevel.OVER, 2: QuotaLevel.UNKNOWN}
    assert quota_crossings(db, levels) == [QuotaCrossing(1, QuotaLevel.OVER)]
    record_notices(db, [QuotaCrossing(1, QuotaLevel.OVER)])
    assert _told(db) == {1: "over", 2: "over"}

    # 1 frees space below the threshold, 2 back to a warning: recorded, nobody told.
    assert quota_crossings(db, {1: QuotaLevel.OK, 2: QuotaLevel.WARNING}) == []
    assert _told(db) == {2: "warning"}
    # Crossing again tells again.
    assert quota_crossings(db, {1: QuotaLevel.WARNING, 2: QuotaLevel.OVER}) == [
        QuotaCrossing(1, QuotaLevel.WARNING),
        QuotaCrossing(2, QuotaLevel.OVER),
    ]


def test_a_crossing_not_recorded_as_told_is_returned_again(db):
    # A user whose lab was not running to be told is told at a later refresh.
    assert quota_crossings(db, {7: QuotaLevel.WARNING}) == [QuotaCrossing(7, QuotaLevel.WARNING)]
    assert quota_crossings(db, {7: QuotaLevel.WARNING}) == [QuotaCrossing(7, QuotaLevel.WARNING)]


def test_many_users_policies_at_once_equal_each_users_own(db):
    groups = {name: orm.Group(name=name) for name in ("course", "gpu-team", "docker-sock")}
    db.add_all(groups.values())
    users = [orm.User(name=name) for name in ("ada", "bo", "cy", "dee")]
    users[0].groups = [groups["course"]]
    users[1].groups = [groups["course"], groups["gpu-team"]]
    users[2].groups = [groups["docker-sock"], groups["gpu-team"]]
    db.add_all(users)
    db.commit()
    save_policy(db, "course", TEN_GIB, by="boss", by_full_admin=True)
    save_policy(
        db,
        "gpu-team",
        GroupPolicy(gpus=1, volume_quota=50 * GIB, mem_limit=8 * GIB, priority=2),
        by="boss",
        by_full_admin=True,
    )
    # cy's socket access counts: a full admin granted the membership.
    db.add(
        DockerGrant(
            group="docker-sock",
            user_id=users[2].id,
            username="cy",
            granted_by="boss",
            by_full_admin=True,
            granted_at=datetime.now(UTC),
        )
    )
    db.commit()
    settings = PolicySettings(default=GroupPolicy(volume_quota=GIB))

    together = user_policies(db, users, settings)

    assert together == {user.id: user_policy(db, user, settings) for user in users}
    assert together[users[2].id].docker_access.value == "socket"
    assert together[users[3].id].values["volume_quota"] == GIB
