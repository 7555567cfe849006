"""Volume directories on shared storage: ownership in a real hub database, work on a real disk.

The node agents are not running here: the hub's best-effort removal of the
nodes' volume objects finds no engine, as it would with every node down,
and the directories' work goes on regardless.
"""

import asyncio
import logging
from types import SimpleNamespace

import pytest
from jupyterhub import orm

from stellars_docker import DEFAULT_USER_VOLUMES, DockerSettings, VolumeOwnershipError
from stellars_docker.errors import (
    ArchiveError,
    DockerUnavailableError,
    MoveRefusedError,
    NotArchivedError,
)
from stellars_docker.ownership_store import (
    ADOPTED,
    CREATED,
    account_of,
    owner_record,
)
from stellars_docker.swarm.agent import AgentClient, AgentSettings
from stellars_docker.swarm.moves import FilesChoice
from stellars_docker.swarm.storage import SharedStorage
from stellars_docker.swarm.storage_ownership import (
    adopt_legacy_directories,
    claim_directories,
    make_directory_hook,
)
from stellars_docker.swarm.storage_work import DirectorySizes, SharedStorageNodeWork

OPTIONS = {"type": "none", "o": "bind", "device": "/srv/stellars/{volume}"}
LIMIT_S = 10.0
HOME, WORKSPACE, CACHE = DEFAULT_USER_VOLUMES


@pytest.fixture
def storage(tmp_path):
    root = tmp_path / "volumes"
    root.mkdir()
    return SharedStorage(OPTIONS, root)


def _no_engine():
    raise DockerUnavailableError("no engine in this test")


@pytest.fixture
def work(storage):
    agents = AgentClient(
        _no_engine,
        AgentSettings(service="agents", network="agents", port=8090, secret="s", timeout_s=1.0),
    )
    return SharedStorageNodeWork(agents, storage)


def _user(db, name):
    user = orm.User(name=name)
    db.add(user)
    db.commit()
    return user


def _volume_directories(storage):
    # A removed directory's files may still be going, under a name no volume has.
    return sorted(path.name for path in storage.root.iterdir() if not path.name.startswith("."))


def _wanted(name):
    return [
        (volume.suffix, volume.name_template.format(username=name)) for volume in (HOME, WORKSPACE)
    ]


def _claim(storage, db, user):
    created = asyncio.run(claim_directories(storage, db, user.id, _wanted(user.name), LIMIT_S))
    db.commit()
    return created


def test_a_first_claim_makes_the_directories_and_records_them_as_the_accounts(storage, hub_db):
    ada = _user(hub_db, "ada")
    assert _claim(storage, hub_db, ada) == ["jupyterlab-ada_home", "jupyterlab-ada_workspace"]
    assert (storage.root / "jupyterlab-ada_home").is_dir()
    record = owner_record(hub_db, "jupyterlab-ada_home")
    assert (record.owner, record.reason) == (account_of(hub_db, ada.id), CREATED)
    assert _claim(storage, hub_db, ada) == []


def test_a_later_account_of_a_deleted_ones_name_is_refused_its_archived_directories(
    storage, hub_db
):
    _claim(storage, hub_db, _user(hub_db, "ada"))
    hub_db.delete(hub_db.query(orm.User).filter_by(name="ada").one())
    hub_db.commit()
    heir = _user(hub_db, "ada")
    with pytest.raises(VolumeOwnershipError, match="belongs to the deleted account 'ada'"):
        _claim(storage, hub_db, heir)


def test_a_directory_older_than_the_hub_goes_to_the_account_of_its_name(storage, hub_db):
    (storage.root / "jupyterlab-bob_home").mkdir()
    (storage.root / "jupyterlab-nobody_home").mkdir()
    bob = _user(hub_db, "bob")
    assert asyncio.run(
        adopt_legacy_directories(storage, hub_db, DEFAULT_USER_VOLUMES, LIMIT_S)
    ) == ["jupyterlab-bob_home"]
    hub_db.commit()
    record = owner_record(hub_db, "jupyterlab-bob_home")
    assert (record.owner, record.reason) == (account_of(hub_db, bob.id), ADOPTED)
    assert owner_record(hub_db, "jupyterlab-nobody_home") is None
    assert _claim(storage, hub_db, bob) == ["jupyterlab-bob_workspace"]


class _Spawner:
    """What the hook reads of a spawner."""

    def __init__(self, user, db):
        self.user = SimpleNamespace(name=user.name, id=user.id, db=db)
        self.log = logging.getLogger("spawner")

    def template_namespace(self):
        return {"username": self.user.name}


def test_the_hook_makes_the_users_and_the_shared_directory(storage, hub_db):
    hook = make_directory_hook(storage, lambda _spawner: (HOME,), "jupyterhub_shared", LIMIT_S)
    asyncio.run(hook(_Spawner(_user(hub_db, "ada"), hub_db)))
    assert _volume_directories(storage) == [
        "jupyterhub_shared",
        "jupyterlab-ada_home",
    ]
    assert owner_record(hub_db, "jupyterhub_shared") is None


def test_a_users_directories_are_listed_measured_and_reset_and_nobody_elses(storage, hub_db, work):
    ada, adam = _user(hub_db, "ada"), _user(hub_db, "adam")
    _claim(storage, hub_db, ada)
    _claim(storage, hub_db, adam)
    (storage.root / "jupyterlab-ada_workspace" / "data").write_bytes(b"x" * 50_000)
    (storage.root / "jupyterlab-adam_workspace" / "data").write_bytes(b"y" * 70_000)

    listed = asyncio.run(
        work.existing_user_volumes(hub_db, ada.id, DEFAULT_USER_VOLUMES, sizes={}, limit_s=LIMIT_S)
    )
    assert [volume.suffix for volume in listed] == ["home", "workspace"]
    measured = asyncio.run(
        work.measure_user_volumes(
            hub_db,
            ada.id,
            DEFAULT_USER_VOLUMES,
            image="unused",
            labels={},
            timeout_s=30,
            limit_s=LIMIT_S,
        )
    )
    sizes = {volume.suffix: volume.size_bytes for volume in measured}
    assert 50_000 <= sizes["workspace"] < 70_000

    results = asyncio.run(work.delete_user_volumes(hub_db, ada.id, (WORKSPACE, CACHE), LIMIT_S))
    hub_db.commit()
    assert [(r.suffix, r.deleted, r.error) for r in results] == [
        ("workspace", True, None),
        ("cache", False, "no such volume"),
    ]
    assert _volume_directories(storage) == [
        "jupyterlab-ada_home",
        "jupyterlab-adam_home",
        "jupyterlab-adam_workspace",
    ]
    assert owner_record(hub_db, "jupyterlab-ada_workspace") is None
    # The next start makes it anew.
    assert _claim(storage, hub_db, ada) == ["jupyterlab-ada_workspace"]


def test_a_deleted_accounts_directories_are_removed_or_kept_as_the_admin_chooses(
    storage, hub_db, work
):
    ada, bob = _user(hub_db, "ada"), _user(hub_db, "bob")
    _claim(storage, hub_db, ada)
    _claim(storage, hub_db, bob)
    accounts = {user.name: account_of(hub_db, user.id) for user in (ada, bob)}
    volumes = {
        user.name: asyncio.run(
            work.existing_user_volumes(
                hub_db, user.id, DEFAULT_USER_VOLUMES, sizes={}, limit_s=LIMIT_S
            )
        )
        for user in (ada, bob)
    }
    for user in (ada, bob):
        hub_db.delete(user)
    hub_db.commit()

    deleted = asyncio.run(
        work.settle_account_volumes(
            hub_db, accounts["ada"], volumes["ada"], "delete", limit_s=LIMIT_S
        )
    )
    kept = asyncio.run(
        work.settle_account_volumes(
            hub_db, accounts["bob"], volumes["bob"], "archive", limit_s=LIMIT_S
        )
    )
    hub_db.commit()

    assert {(fate.suffix, fate.fate) for fate in deleted} == {
        ("home", "deleted"),
        ("workspace", "deleted"),
    }
    assert {fate.fate for fate in kept} == {"archived"}
    assert _volume_directories(storage) == [
        "jupyterlab-bob_home",
        "jupyterlab-bob_workspace",
    ]


def test_the_sizes_refresh_sizes_every_volume_directory(storage):
    (storage.root / "jupyterlab-ada_home").mkdir()
    (storage.root / "jupyterlab-ada_home" / "data").write_bytes(b"x" * 20_000)
    (storage.root / "jupyterhub_shared").mkdir()
    sizes = DirectorySizes(storage, interval_s=60, timeout_s=30)
    asyncio.run(sizes.refresh())
    found = sizes.sizes()
    assert set(found) == {"jupyterlab-ada_home", "jupyterhub_shared"}
    assert found["jupyterlab-ada_home"] >= 20_000
    sizes.record({"jupyterhub_shared": 7})
    assert sizes.sizes()["jupyterhub_shared"] == 7


def test_the_stats_still_come_from_the_agents(work):
    source = work.stats_source(DockerSettings(image="lab"))
    assert source.snapshot() == {}
    assert work.unreachable_nodes() == ()
    assert work.volume_nodes() == {}


def _no_engine_client():
    raise AssertionError("the archive of directories never asks an engine")


def test_an_archived_directory_is_listed_then_purged_or_given_to_the_accounts_namesake(
    storage, hub_db, work
):
    ada = _user(hub_db, "ada")
    _claim(storage, hub_db, ada)
    _claim(storage, hub_db, _user(hub_db, "bob"))
    (storage.root / "jupyterlab-stray_home").mkdir()  # nobody's: not an archive
    hub_db.delete(ada)
    hub_db.commit()

    listed = asyncio.run(
        work.archived_volumes(_no_engine_client, hub_db, {"jupyterlab-ada_home": 4096}, LIMIT_S)
    )

    assert [(v.name, v.owner_name, v.size_bytes) for v in listed] == [
        ("jupyterlab-ada_home", "ada", 4096),
        ("jupyterlab-ada_workspace", "ada", None),
    ]
    assert all(v.deleted_at is not None for v in listed)
    with pytest.raises(NotArchivedError):
        asyncio.run(
            work.purge_archived_volume(_no_engine_client, hub_db, "jupyterlab-bob_home", LIMIT_S)
        )

    asyncio.run(
        work.purge_archived_volume(_no_engine_client, hub_db, "jupyterlab-ada_home", LIMIT_S)
    )
    heir = _user(hub_db, "ada")
    with pytest.raises(ArchiveError, match="cannot go to 'bob'"):
        asyncio.run(
            work.assign_archived_volume(
                _no_engine_client,
                hub_db,
                "jupyterlab-ada_workspace",
                hub_db.query(orm.User).filter_by(name="bob").one().id,
                user_volumes=DEFAULT_USER_VOLUMES,
                limit_s=LIMIT_S,
            )
        )
    given = asyncio.run(
        work.assign_archived_volume(
            _no_engine_client,
            hub_db,
            "jupyterlab-ada_workspace",
            heir.id,
            user_volumes=DEFAULT_USER_VOLUMES,
            limit_s=LIMIT_S,
        )
    )
    hub_db.commit()

    assert given == account_of(hub_db, heir.id)
    assert "jupyterlab-ada_home" not in _volume_directories(storage)
    assert asyncio.run(work.archived_volumes(_no_engine_client, hub_db, {}, LIMIT_S)) == []
    # The heir's server now gets the workspace, and a new home.
    assert _claim(storage, hub_db, heir) == ["jupyterlab-ada_home"]


def test_no_user_is_on_a_node_and_none_is_moved(hub_db, work):
    ada = _user(hub_db, "ada")
    mover = work.user_mover(DockerSettings(image="lab"))
    assert asyncio.run(mover.node_of(hub_db, ada.id)) is None
    with pytest.raises(MoveRefusedError, match="nothing to move"):
        asyncio.run(
            mover.prepare(hub_db, ada.id, "ada", "node-2", files=FilesChoice.COPY, sizes={})
        )
