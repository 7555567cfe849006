"""The groups' policies as the API shows them, in a real hub database (SQLite and PostgreSQL).

JupyterHub's own ORM and tables, ours migrated: group entries with member
counts, running servers under an older policy, and a save that checks the
group, the built-in access, the secrets and the GPU inventory before it
stores anything. Profile images are checked on the real engine.
"""

import asyncio

import pytest
from jupyterhub import orm

from stellars_docker.gpu import Gpu
from stellars_docker.grants import Granter
from stellars_docker.policy import (
    GroupPolicy,
    PolicyRejectedError,
    PolicySettings,
    UnknownGroupError,
    delete_group_policy,
    device_problems,
    group_entries,
    group_entry,
    image_problems,
    read_policy,
    record_applied,
    save_group_policy,
    save_policy,
    server_states,
    user_policy,
)
from stellars_docker.schema import HISTORY
from stellars_testing.schema import migrate

SETTINGS = PolicySettings()
BOSS = Granter("boss", full_admin=True)
EDITOR = Granter("editor", full_admin=False)
GPUS = (Gpu(0, "H100", "GPU-aaaaaaaa-0000", 81559), Gpu(1, "H100", "GPU-bbbbbbbb-1111", 81559))


@pytest.fixture
def db(db_url):
    """A hub database: groups vision (ada, bo), course (ada), docker-sock; ada's server runs."""
    session = orm.new_session_factory(db_url)()
    migrate(db_url, HISTORY)
    ada, bo = orm.User(name="ada"), orm.User(name="bo")
    session.add_all(
        [
            orm.Group(name="vision", users=[ada, bo]),
            orm.Group(name="course", users=[ada]),
            orm.Group(name="docker-sock"),
        ]
    )
    session.commit()
    server = orm.Server()
    session.add(server)
    session.add(orm.Spawner(user=ada, name="", server=server))
    session.add(orm.Spawner(user=bo, name=""))  # stopped
    session.commit()
    yield session
    session.close()
    session.get_bind().dispose()


def _user(db, name):
    return orm.User.find(db, name)


def _started(db, name):
    """Record that *name*'s default server started under their policy now."""
    user = _user(db, name)
    record_applied(db, user.id, "", user_policy(db, user, SETTINGS).fingerprint(), None)
    db.commit()


def test_every_group_is_listed_by_name_with_members_and_its_policy(db):
    save_policy(db, "vision", GroupPolicy(cpu_limit=2.0), by="boss", by_full_admin=True)
    entries = {entry.name: entry for entry in group_entries(db, SETTINGS)}
    assert list(entries) == ["course", "docker-sock", "vision"]
    assert (entries["vision"].members, entries["course"].members) == (2, 1)
    assert entries["vision"].policy == GroupPolicy(cpu_limit=2.0)
    assert (entries["vision"].revision, entries["vision"].updated_by) == (1, "boss")
    assert (entries["course"].policy, entries["course"].revision) == (None, 0)
    sock = entries["docker-sock"]
    assert sock.builtin
    assert sock.docker_access_counts
    assert sock.policy.docker_access == "socket"
    with pytest.raises(UnknownGroupError):
        group_entry(db, SETTINGS, "nobody")


def test_a_running_server_under_an_older_policy_is_counted_in_each_of_its_groups(db):
    _started(db, "ada")
    assert [state.outdated for state in server_states(db, SETTINGS)] == [False]
    assert group_entry(db, SETTINGS, "vision").outdated_servers == 0
    save_policy(db, "course", GroupPolicy(mem_limit=2**30), by="boss", by_full_admin=True)
    (state,) = server_states(db, SETTINGS, [_user(db, "ada")])
    assert (state.name, state.outdated) == ("", True)
    counts = {entry.name: entry.outdated_servers for entry in group_entries(db, SETTINGS)}
    # bo is in vision too, but has no server running.
    assert counts == {"course": 1, "vision": 1, "docker-sock": 0}
    _started(db, "ada")  # the next start applies it
    assert group_entry(db, SETTINGS, "course").outdated_servers == 0


def test_a_stopped_server_or_one_started_before_policies_is_not_listed(db):
    assert server_states(db, SETTINGS) == []  # ada runs, but without a record
    bo = _user(db, "bo")
    record_applied(db, bo.id, "", "0" * 16, None)
    db.commit()
    assert server_states(db, SETTINGS) == []


def test_a_save_checks_everything_first_and_stores_nothing_when_refused(db):
    async def save(group, policy, by=BOSS):
        return await save_group_policy(db, group, policy, runtime=None, by=by)

    with pytest.raises(UnknownGroupError):
        asyncio.run(save("nobody", GroupPolicy()))
    refused = GroupPolicy.model_validate(
        {
            "docker_access": "privileged",
            "gpus": ["0"],
            "environment": [{"name": "KEY", "value": None, "secret": True}],
        }
    )
    with pytest.raises(PolicyRejectedError) as problem:
        asyncio.run(save("docker-sock", refused))
    message = str(problem.value)
    assert "docker_access: docker-sock is a built-in group" in message
    assert "the secret KEY has no stored value" in message
    assert "gpus: 0 is not a GPU of this hub (the inventory: none detected)" in message
    assert read_policy(db, "docker-sock") is None

    secret = GroupPolicy.model_validate(
        {"environment": [{"name": "KEY", "value": "k", "secret": True}]}
    )
    asyncio.run(save("vision", secret))
    kept = GroupPolicy.model_validate(
        {"environment": [{"name": "KEY", "value": None, "secret": True}]}
    )
    stored = asyncio.run(save("vision", kept, by=EDITOR))
    assert stored.policy.environment[0].value == "k"
    assert (stored.revision, stored.updated_by) == (2, "editor")
    assert delete_group_policy(db, "vision") is True
    assert delete_group_policy(db, "vision") is False
    with pytest.raises(UnknownGroupError):
        delete_group_policy(db, "nobody")


@pytest.mark.parametrize(
    ("gpus", "unknown"),
    [
        ("all", []),
        (2, []),
        (["0", "GPU-bbbbbbbb-1111"], []),
        (["2"], ["gpus: 2 is not a GPU of this hub"]),
        (["GPU-cccccccc-2222", "1"], ["gpus: GPU-cccccccc-2222 is not a GPU of this hub"]),
    ],
)
def test_gpu_devices_are_checked_against_the_inventory(gpus, unknown):
    policy = GroupPolicy.model_validate({"gpus": gpus})
    problems = device_problems(policy, GPUS)
    assert [problem.split(" (")[0] for problem in problems] == unknown


def test_a_profiles_gpu_devices_are_checked_too():
    policy = GroupPolicy.model_validate(
        {"profiles": [{"name": "big", "display_name": "Big", "image": "x:1", "gpus": ["7"]}]}
    )
    assert device_problems(policy, GPUS)[0].startswith("profiles.0.gpus: 7 is not a GPU")


def test_profile_images_are_checked_on_the_real_engine(docker_run, lab_image):
    missing = f"stellars-no-such-image-{docker_run.run_id}:1"
    policy = GroupPolicy.model_validate(
        {
            "profiles": [
                {"name": "lab", "display_name": "Lab", "image": lab_image},
                {"name": "gone", "display_name": "Gone", "image": missing},
            ]
        }
    )
    problems = asyncio.run(image_problems(docker_run.client, policy, 30.0))
    assert problems == [
        f"profiles.1.image: {missing} is not on the Docker engine (build or pull it there first)"
    ]
    present = GroupPolicy.model_validate(
        {"profiles": [{"name": "lab", "display_name": "Lab", "image": lab_image}]}
    )
    assert asyncio.run(image_problems(docker_run.client, present, 30.0)) == []
