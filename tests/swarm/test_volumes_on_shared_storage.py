"""Volumes on storage every swarm node shares: no server is pinned, the hub works on directories.

Every node of the test swarm mounts one host folder at ``SHARED_STORAGE_PATH``,
standing for a network file system mounted on each node. A second hub, beside
the session's, is configured with ``JUPYTERHUB_SWARM_VOLUME_OPTIONS`` (Docker's
local driver binding ``SHARED_STORAGE_PATH/{volume}``) and sees the same folder
at ``JUPYTERHUB_SWARM_VOLUME_ROOT``, another path. NFS is the same mechanism
with ``type=nfs``; this machine's kernel has no NFS client, so it is not
exercised here.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING

import docker.errors
import pytest
from conftest import start_swarm_hub
from servers import (
    paused,
    read_file,
    service_name,
    start,
    start_and_fail,
    stop,
    wait_ready,
    write_file,
)

from stellars_testing import wait_until
from stellars_testing.swarm import SHARED_STORAGE_PATH

if TYPE_CHECKING:
    from pathlib import Path

HUB_NAME = "hub-storage"
# Where the hub sees the nodes' SHARED_STORAGE_PATH.
ROOT_IN_HUB = "/srv/stellars-volumes"
OPTIONS = {"type": "none", "o": "bind", "device": f"{SHARED_STORAGE_PATH}/{{volume}}"}
MOVER, NEIGHBOUR = "storagemover", "storageneighbour"
SUFFIXES = ("home", "workspace", "cache")
NOTE = "written on the first node"
DATA_BYTES = 300_000
# A few sizes intervals of the hub (SIZES_INTERVAL_S), with room.
SIZES_WITHIN_S = 90


def _volume(username: str, suffix: str) -> str:
    return f"jupyterlab-{username}_{suffix}"


@pytest.fixture(scope="module")
def storage_hub(swarm_hub, hub_image, lab_image):
    """A hub whose volumes are directories of the storage every node shares; its users."""
    hub = start_swarm_hub(
        swarm_hub.swarm,
        hub_image,
        lab_image,
        name=HUB_NAME,
        network=swarm_hub.network,
        agents=swarm_hub.agents,
        environment={
            "JUPYTERHUB_SWARM_VOLUME_OPTIONS": json.dumps(OPTIONS),
            "JUPYTERHUB_SWARM_VOLUME_ROOT": ROOT_IN_HUB,
            # Shared storage makes the shared volume one for every node.
            "JUPYTERHUB_SHARED_VOLUME": "jupyterhub_shared",
        },
        binds={SHARED_STORAGE_PATH: ROOT_IN_HUB},
    )
    created = hub.api("POST", "users", json={"usernames": [MOVER, NEIGHBOUR]})
    assert created.status_code == 201, created.text
    try:
        yield hub
    finally:
        manager = swarm_hub.swarm.manager.client
        for username in (MOVER, NEIGHBOUR):
            with contextlib.suppress(docker.errors.NotFound):
                manager.services.get(service_name(username)).remove()
        hub.container.remove(force=True)


def _lab_container(hub, username: str, hostname: str):
    engine = hub.swarm.node_named(hostname).client
    (lab,) = engine.containers.list(
        filters={"label": f"com.docker.swarm.service.name={service_name(username)}"}
    )
    return lab


def _on_disk(hub, username: str, suffix: str) -> Path:
    return hub.swarm.shared_storage / _volume(username, suffix)


@pytest.fixture(scope="module")
def moved(storage_hub):
    """The mover's first node and the other node their next server ran on, their note written."""
    start(storage_hub, MOVER)
    wait_ready(storage_hub, MOVER)
    first = storage_hub.node_of(service_name(MOVER))
    write_file(storage_hub, MOVER, "workspace/notes.txt", NOTE)
    stop(storage_hub, MOVER)
    with paused(storage_hub, first):
        start(storage_hub, MOVER)
        wait_ready(storage_hub, MOVER)
    return first, storage_hub.node_of(service_name(MOVER))


def test_a_users_files_are_there_when_their_next_server_runs_on_another_node(storage_hub, moved):
    first, second = moved
    assert second != first
    assert read_file(storage_hub, MOVER, "workspace/notes.txt") == NOTE
    assert (_on_disk(storage_hub, MOVER, "workspace") / "notes.txt").read_text() == NOTE


# Run in the hub's container: how many accounts its database pins to a node.
_COUNT_PLACEMENTS = """
import sqlite3
database = sqlite3.connect("/srv/jupyterhub/data/jupyterhub.sqlite")
print(database.execute("select count(*) from stellars_swarm_placements").fetchone()[0])
"""


def test_no_node_is_recorded_for_the_user_and_the_service_is_constrained_to_none(
    storage_hub, moved
):
    spec = storage_hub.swarm.manager.client.services.get(service_name(MOVER)).attrs["Spec"]
    constraints = spec["TaskTemplate"].get("Placement", {}).get("Constraints") or []
    assert not [c for c in constraints if c.startswith("node.id==")], constraints
    database = storage_hub.container.exec_run(["python", "-c", _COUNT_PLACEMENTS])
    assert database.output.decode().strip() == "0", database.output
    node = storage_hub.api("GET", f"users/{MOVER}/node")
    assert node.status_code == 200, node.text
    assert node.json()["node"] is None


def test_each_nodes_volume_points_at_the_shared_directory_and_names_its_account(storage_hub, moved):
    for hostname in moved:
        engine = storage_hub.swarm.node_named(hostname).client
        for suffix in SUFFIXES:
            name = _volume(MOVER, suffix)
            volume = engine.api.inspect_volume(name)
            assert volume["Driver"] == "local"
            assert volume["Options"] == {**OPTIONS, "device": f"{SHARED_STORAGE_PATH}/{name}"}
            labels = volume["Labels"]
            assert labels["org.stellars-hub.owner-name"] == MOVER
            assert labels["org.stellars-hub.volume"] == suffix


@pytest.fixture(scope="module")
def neighbour(storage_hub, moved):
    """The neighbour's server, on another node than the mover's, its data written; that node."""
    _, mover_node = moved
    with paused(storage_hub, mover_node):
        start(storage_hub, NEIGHBOUR)
        wait_ready(storage_hub, NEIGHBOUR)
    node = storage_hub.node_of(service_name(NEIGHBOUR))
    assert node != mover_node
    write_file(storage_hub, NEIGHBOUR, "workspace/data.txt", "x" * DATA_BYTES)
    return node


def test_the_shared_volume_is_one_for_every_node(storage_hub, moved, neighbour):
    _, mover_node = moved
    written = _lab_container(storage_hub, MOVER, mover_node).exec_run(
        ["sh", "-c", f"echo from {mover_node} > /mnt/shared/hello.txt"]
    )
    assert written.exit_code == 0, written.output
    read = _lab_container(storage_hub, NEIGHBOUR, neighbour).exec_run(
        ["cat", "/mnt/shared/hello.txt"]
    )
    assert read.output.decode().strip() == f"from {mover_node}"


@pytest.mark.usefixtures("neighbour")
def test_sizes_and_measure_now_come_from_the_directories(storage_hub):
    size = DATA_BYTES

    def workspace_size() -> int:
        rows = storage_hub.api("GET", "activity").json()["users"]
        (row,) = [row for row in rows if row["username"] == NEIGHBOUR]
        sizes = {volume["suffix"]: volume["size_bytes"] for volume in row["volumes"]}
        return sizes.get("workspace") or 0

    wait_until(
        lambda: workspace_size() >= size,
        timeout_s=SIZES_WITHIN_S,
        interval_s=2,
        what="the workspace's size on the Activity page",
    )
    measured = storage_hub.api("POST", f"users/{NEIGHBOUR}/volume-sizes", json={})
    assert measured.status_code == 200, measured.text
    sizes = {volume["suffix"]: volume["size_bytes"] for volume in measured.json()["volumes"]}
    assert sizes["workspace"] >= size, sizes


@pytest.mark.usefixtures("neighbour")
def test_a_reset_removes_the_users_directories_and_nobody_elses(storage_hub, moved):
    neighbours_file = _on_disk(storage_hub, NEIGHBOUR, "workspace") / "data.txt"
    assert neighbours_file.exists()
    stop(storage_hub, MOVER)
    # Nothing to move either: the files are on every node.
    move = storage_hub.api("POST", f"users/{MOVER}/node", json={"node": moved[0]})
    assert move.status_code == 409, move.text
    assert "nothing to move" in move.json()["message"]

    response = storage_hub.api(
        "DELETE", f"users/{MOVER}/manage-volumes", json={"volumes": list(SUFFIXES)}
    )

    assert response.status_code == 200, response.text
    assert {v["suffix"]: v["deleted"] for v in response.json()["volumes"]} == dict.fromkeys(
        SUFFIXES, True
    )
    for suffix in SUFFIXES:
        assert not _on_disk(storage_hub, MOVER, suffix).exists()
        # The nodes' volume objects, which only pointed at the directories, go too.
        for hostname in moved:
            engine = storage_hub.swarm.node_named(hostname).client
            with pytest.raises(docker.errors.NotFound):
                engine.api.inspect_volume(_volume(MOVER, suffix))
    assert neighbours_file.stat().st_size == DATA_BYTES
    assert (storage_hub.swarm.shared_storage / "jupyterhub_shared").is_dir()
    assert read_file(storage_hub, NEIGHBOUR, "workspace/data.txt") == "x" * DATA_BYTES

    # The next server gets new, empty volumes (the image's home, no notes).
    start(storage_hub, MOVER)
    wait_ready(storage_hub, MOVER)
    assert read_file(storage_hub, MOVER, "workspace/notes.txt") is None
    assert (_on_disk(storage_hub, MOVER, "home") / ".bashrc").is_file()


@pytest.mark.usefixtures("moved")
def test_deleting_an_account_with_its_volumes_removes_its_directories(storage_hub):
    response = storage_hub.api("DELETE", f"users/{MOVER}/account", json={"volumes": "delete"})

    assert response.status_code == 200, response.text
    fates = {volume["suffix"]: volume["fate"] for volume in response.json()["volumes"]}
    assert fates == dict.fromkeys(SUFFIXES, "deleted"), response.json()
    for suffix in SUFFIXES:
        assert not _on_disk(storage_hub, MOVER, suffix).exists()


@pytest.fixture(scope="module")
def heir(storage_hub, neighbour):
    """The neighbour's account deleted, its volumes archived, and a new account of its name."""
    response = storage_hub.api("DELETE", f"users/{NEIGHBOUR}/account", json={"volumes": "archive"})
    assert response.status_code == 200, response.text
    assert {volume["fate"] for volume in response.json()["volumes"]} == {"archived"}
    created = storage_hub.api("POST", "users", json={"usernames": [NEIGHBOUR]})
    assert created.status_code == 201, created.text
    return NEIGHBOUR


def test_an_account_with_a_deleted_ones_name_never_mounts_its_archived_files(storage_hub, heir):
    archived = _on_disk(storage_hub, heir, "workspace") / "data.txt"
    assert archived.exists()

    message = start_and_fail(storage_hub, heir)

    assert "belongs to the deleted account" in message, message
    assert archived.exists()
    assert not storage_hub.tasks_of(service_name(heir))


def test_an_admin_purges_archived_directories_or_gives_them_to_the_namesake(storage_hub, heir):
    listed = storage_hub.api("GET", "stellars/archived-volumes")
    assert listed.status_code == 200, listed.text
    archived = {volume["name"]: volume for volume in listed.json()["volumes"]}
    names = {suffix: _volume(heir, suffix) for suffix in SUFFIXES}
    assert set(names.values()) <= set(archived), archived
    assert archived[names["workspace"]]["size_bytes"] >= DATA_BYTES

    for suffix in ("home", "cache"):
        purged = storage_hub.api("DELETE", f"stellars/archived-volumes/{names[suffix]}")
        assert purged.status_code == 200, purged.text
        assert not _on_disk(storage_hub, heir, suffix).exists()
    given = storage_hub.api(
        "POST", f"stellars/archived-volumes/{names['workspace']}/assign", json={"user": heir}
    )
    assert given.status_code == 200, given.text

    # The heir's server starts, with the old workspace and a new home.
    leftovers = {
        node.name: [v.name for v in node.client.volumes.list() if heir in v.name]
        for node in storage_hub.swarm.nodes
    }
    try:
        start(storage_hub, heir)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{leftovers}\n{storage_hub.logs(200)}") from None
    wait_ready(storage_hub, heir)
    assert read_file(storage_hub, heir, "workspace/data.txt") == "x" * DATA_BYTES
    assert (_on_disk(storage_hub, heir, "home") / ".bashrc").is_file()
