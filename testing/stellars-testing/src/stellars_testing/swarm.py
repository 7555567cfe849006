"""A Docker Swarm of several nodes on one machine, for the tests of the ``swarm`` layer.

Each node is a Docker engine in a container of the host's engine (the image
``testing/swarm-node`` builds), on the host's default bridge: the first is
the manager, the others workers. The host's own engine stays out of the
swarm, so the tests that run beside these on it see nothing change.

Nothing is pulled: the images a test needs on the nodes are copied from the
host's engine (``docker save | docker load``), once per node, and kept in
the node's state folder on the host for the next run on the same machine.
Each node's engine API listens, unauthenticated, on port 2375 of its address on the bridge, which
only this machine reaches; it is test infrastructure, not a deployment.

One folder of the host is mounted into every node at the same path
(:data:`SHARED_STORAGE_PATH`): storage every node shares, as an NFS export
mounted on each node would be, for the volumes of a hub configured with
``JUPYTERHUB_SWARM_VOLUME_OPTIONS``. It starts empty with every swarm.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from stellars_testing.components import require
from stellars_testing.docker_engine import RUN_LABEL
from stellars_testing.polling import wait_until

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

log = logging.getLogger(__name__)

DEFAULT_NODE_IMAGE = "stellars-swarm-node:latest"
# Where each node's /var/lib/docker is kept on the host (one folder a node).
STATE_VARIABLE = "STELLARS_SWARM_STATE_DIR"
DEFAULT_STATE_DIR = Path.home() / ".cache" / "stellars-swarm-nodes"
ROLE_LABEL = "org.stellars-hub.role"
NODE_ROLE = "swarm-node"
NODE_PREFIX = "stellars-swarm-node-"
ENGINE_PORT = 2375
SWARM_PORT = 2377
# Seconds a node's engine gets to answer after its container starts, and the
# swarm to report every node ready.
START_TIMEOUT_S = 90.0
# Where every node sees the storage they share.
SHARED_STORAGE_PATH = "/srv/stellars-shared-storage"

# The last worker advertises two GPUs to the swarm as generic resources, as
# a GPU node's daemon.json does (node-generic-resources). It has none: a task
# that reserves them runs as any other, with the swarm's assignment recorded.
GPU_RESOURCE = "NVIDIA-GPU"
TEST_GPUS = ("GPU-stellars-test-0", "GPU-stellars-test-1")

# What an engine needs inside a container where --privileged is refused (the
# kernel's capability bounding set lacks CAP_SYS_RESOURCE here): every other
# capability, no seccomp or AppArmor profile, every device, its own cgroup
# namespace, and /proc and /sys neither masked nor read-only (the CLI's
# --security-opt systempaths=unconfined, which the SDK has no argument for).
NODE_HOST_CONFIG = {
    "cap_add": ["ALL"],
    "cap_drop": ["SYS_RESOURCE"],
    "security_opt": ["seccomp=unconfined", "apparmor=unconfined"],
    "device_cgroup_rules": ["a *:* rwm"],
    "cgroupns": "private",
}
UNCONFINED_SYSTEM_PATHS: dict[str, list[str]] = {"MaskedPaths": [], "ReadonlyPaths": []}


@dataclass
class SwarmNode:
    """One node: its container on the host's engine and its own engine."""

    name: str
    address: str
    manager: bool
    client: docker.DockerClient

    @property
    def engine_url(self) -> str:
        """The node's engine API, as ``DOCKER_HOST`` takes it."""
        return f"tcp://{self.address}:{ENGINE_PORT}"

    def node_id(self) -> str:
        """Return the node's id in the swarm."""
        return str(self.client.info()["Swarm"]["NodeID"])


@dataclass
class Swarm:
    """The running swarm: its manager first, then its workers."""

    host: docker.DockerClient
    nodes: list[SwarmNode]
    run_id: str
    loaded: dict[str, set[str]] = field(default_factory=dict)

    @property
    def manager(self) -> SwarmNode:
        """The node that takes the swarm's API calls."""
        return self.nodes[0]

    @property
    def shared_storage(self) -> Path:
        """The host's folder every node mounts at :data:`SHARED_STORAGE_PATH`."""
        return _shared_storage_dir()

    @property
    def workers(self) -> list[SwarmNode]:
        """Every node but the manager."""
        return self.nodes[1:]

    def node_named(self, hostname: str) -> SwarmNode:
        """Return the node whose engine reports *hostname* (what a task's node says)."""
        for node in self.nodes:
            if node.client.info()["Name"] == hostname:
                return node
        raise KeyError(hostname)

    def load_image(self, image: str, nodes: list[SwarmNode] | None = None) -> None:
        """Copy *image* from the host's engine onto each of *nodes* (all) that lacks it."""
        wanted = self.host.images.get(image).id
        for node in self.nodes if nodes is None else nodes:
            if wanted in self.loaded.setdefault(node.name, set()):
                continue
            if not _holds(node.client, image, wanted):
                _copy_image(image, node)
            self.loaded[node.name].add(wanted)

    def stop(self) -> None:
        """Remove the node containers; their state folders keep the images for the next run.

        The shared storage is emptied first, by a node: its files belong to
        the users of the labs that wrote them, not to whoever runs the tests.
        """
        _empty_shared_storage(self.host, self.nodes[0].name)
        for node in self.nodes:
            node.client.close()
            _remove_container(self.host, node.name)


def start_swarm(
    host: docker.DockerClient, run_id: str, workers: int = 2, image: str = DEFAULT_NODE_IMAGE
) -> Swarm:
    """Start a manager and *workers* workers as containers of *host*, joined into one swarm.

    A node left behind by an earlier run that did not finish is removed
    first. Each node's engine starts empty but for its images: every
    container, volume and network of an earlier run on it is gone.
    """
    import docker  # noqa: PLC0415 - only tests of the swarm layer pay for the import

    try:
        host.images.get(image)
    except docker.errors.ImageNotFound:
        require(
            "swarm node image",
            f"{image} is not built",
            "Run scripts/provision-swarm-node-image.sh.",
        )
    names = [f"{NODE_PREFIX}{index}" for index in range(workers + 1)]
    for name in names:
        _remove_container(host, name)
    # Every node's engine starts at once; then each is waited for.
    gpus = [
        argument
        for gpu in TEST_GPUS
        for argument in ("--node-generic-resource", f"{GPU_RESOURCE}={gpu}")
    ]
    containers = [
        _run_node(host, image, name, run_id, gpus if name == names[-1] and workers else [])
        for name in names
    ]
    nodes = [
        _node_answering(container, manager=index == 0) for index, container in enumerate(containers)
    ]
    swarm = Swarm(host, nodes, run_id)
    try:
        _empty_shared_storage(host, nodes[0].name)
        _form(swarm)
    except BaseException:
        swarm.stop()
        raise
    return swarm


def _run_node(
    host: docker.DockerClient, image: str, name: str, run_id: str, engine_arguments: list[str]
) -> Container:
    # The node's engine state lives in a folder of the host, kept between runs
    # so that the images copied onto it need not be copied again. A folder,
    # not a volume: the host engine's disk-usage query (the platform's volume
    # sizes, which its Docker tests measure beside these) would walk every
    # image layer of every node.
    state = _state_dir() / name
    state.mkdir(parents=True, exist_ok=True)
    shared = _shared_storage_dir()
    shared.mkdir(parents=True, exist_ok=True)
    host_config = host.api.create_host_config(
        binds={
            str(state): {"bind": "/var/lib/docker", "mode": "rw"},
            str(shared): {"bind": SHARED_STORAGE_PATH, "mode": "rw"},
        },
        **NODE_HOST_CONFIG,
    )
    created = host.api.create_container(
        image,
        command=engine_arguments,  # after the entry script's own dockerd arguments
        name=name,
        hostname=name,
        labels={RUN_LABEL: run_id, ROLE_LABEL: NODE_ROLE},
        host_config={**host_config, **UNCONFINED_SYSTEM_PATHS},
    )
    container = host.containers.get(created["Id"])
    container.start()
    return container


def _node_answering(container: Container, *, manager: bool) -> SwarmNode:
    import docker  # noqa: PLC0415

    name = container.name
    container.reload()
    address = container.attrs["NetworkSettings"]["IPAddress"]
    # The SDK asks for the engine's version when a client is made, so the
    # client is made once the engine listens.
    clients: list[docker.DockerClient] = []

    def answers() -> bool:
        try:
            clients.append(
                docker.DockerClient(base_url=f"tcp://{address}:{ENGINE_PORT}", timeout=60)
            )
            return bool(clients[-1].ping())
        except docker.errors.DockerException:
            container.reload()
            if container.status == "exited":
                logs = container.logs(tail=30).decode(errors="replace")
                raise AssertionError(f"swarm node {name} stopped:\n{logs}") from None
            return False

    wait_until(answers, timeout_s=START_TIMEOUT_S, what=f"the engine of swarm node {name}")
    client = clients[-1]
    _empty(client)
    return SwarmNode(name=name, address=address, manager=manager, client=client)


def _state_dir() -> Path:
    return Path(os.environ.get(STATE_VARIABLE, DEFAULT_STATE_DIR))


def _shared_storage_dir() -> Path:
    return _state_dir() / "shared-storage"


def _empty_shared_storage(host: docker.DockerClient, node: str) -> None:
    # Inside a node, which runs as root: what the labs wrote is their users'.
    import docker.errors  # noqa: PLC0415 - only tests of the swarm layer pay for the import

    with contextlib.suppress(docker.errors.NotFound):
        result = host.containers.get(node).exec_run(
            ["find", SHARED_STORAGE_PATH, "-mindepth", "1", "-delete"]
        )
        if result.exit_code != 0:
            log.warning(
                "the shared storage was not emptied: %s", result.output.decode(errors="replace")
            )


def _empty(client: docker.DockerClient) -> None:
    # What an earlier run left in the node's state: a swarm it was part of,
    # containers, volumes. Its images stay.
    if client.info()["Swarm"]["LocalNodeState"] != "inactive":
        client.swarm.leave(force=True)
    import docker.errors  # noqa: PLC0415 - only tests of the swarm layer pay for the import

    # Leaving the swarm makes the engine remove the tasks' containers itself,
    # meanwhile: one listed here may be gone by its removal.
    for container in client.containers.list(all=True, ignore_removed=True):
        _remove_unless_going(container)
    # Leaving the swarm has the engine remove its tasks' containers too, at
    # its own pace: a volume they hold cannot go before they have.
    wait_until(
        lambda: not client.containers.list(all=True, ignore_removed=True),
        timeout_s=START_TIMEOUT_S,
        what="an earlier run's containers on a swarm node to go",
    )
    client.volumes.prune()
    for volume in client.volumes.list():
        with contextlib.suppress(docker.errors.NotFound):
            volume.remove(force=True)
    client.networks.prune()


def _remove_unless_going(container: Container) -> None:
    import docker  # noqa: PLC0415

    try:
        container.remove(force=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as error:
        # 409: the engine is removing it already (a task of a swarm left).
        if error.status_code != 409:  # noqa: PLR2004
            raise


def _form(swarm: Swarm) -> None:
    manager = swarm.manager
    manager.client.swarm.init(
        advertise_addr=manager.address, listen_addr=f"0.0.0.0:{SWARM_PORT}", force_new_cluster=False
    )
    manager.client.swarm.reload()
    token = manager.client.swarm.attrs["JoinTokens"]["Worker"]
    for worker in swarm.workers:
        worker.client.swarm.join(
            remote_addrs=[f"{manager.address}:{SWARM_PORT}"],
            join_token=token,
            advertise_addr=worker.address,
            listen_addr=f"0.0.0.0:{SWARM_PORT}",
        )

    def all_ready() -> bool:
        states = [node.attrs["Status"]["State"] for node in manager.client.nodes.list()]
        return len(states) == len(swarm.nodes) and all(state == "ready" for state in states)

    wait_until(all_ready, timeout_s=START_TIMEOUT_S, what="every swarm node to be ready")


def _holds(client: docker.DockerClient, image: str, image_id: str) -> bool:
    """Return whether the engine holds *image_id* under the name *image*, naming it so if need be.

    A node may keep the image without its name: a name removed (by a test)
    while a stopped container still used the image leaves the image itself,
    and a task asks for the name.
    """
    import docker  # noqa: PLC0415

    try:
        if client.images.get(image).id == image_id:
            return True
    except docker.errors.ImageNotFound:
        pass
    try:
        found = client.images.get(image_id)
    except docker.errors.ImageNotFound:
        return False
    # "name:tag", or a name alone (":latest"); a registry's port is not a tag.
    named = image.rsplit("/", 1)[-1]
    repository, tag = image.rsplit(":", 1) if ":" in named else (image, "latest")
    return bool(found.tag(repository, tag))


def _copy_image(image: str, node: SwarmNode) -> None:
    started = time.monotonic()
    # The CLI streams one engine's image into the other without a file between.
    save = subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE)  # noqa: S603, S607
    try:
        subprocess.run(  # noqa: S603
            ["docker", "--host", node.engine_url, "load", "--quiet"],  # noqa: S607
            stdin=save.stdout,
            check=True,
            capture_output=True,
            timeout=600,
        )
    finally:
        if save.stdout is not None:
            save.stdout.close()
        save.wait(timeout=60)
    if save.returncode != 0:
        raise AssertionError(f"docker save {image} failed with {save.returncode}")
    log.info("copied %s to %s in %.0fs", image, node.name, time.monotonic() - started)


def _remove_container(host: docker.DockerClient, name: str) -> None:
    import docker  # noqa: PLC0415

    with contextlib.suppress(docker.errors.NotFound):
        host.containers.get(name).remove(force=True)
