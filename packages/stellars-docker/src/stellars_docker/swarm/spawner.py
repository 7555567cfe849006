"""The platform's spawner on a Docker Swarm: each user server is a service with one task.

dockerspawner's ``SwarmSpawner`` does the work; this subclass fixes what
keeps it from working on a real swarm:

- Named volumes are mounted as volumes. The stock spawner makes every mount
  a bind mount, and the engine rejects a bind whose source is a volume's
  name ("invalid bind mount source"; dockerspawner issue 536).
- The hub connects to the task's own address on the overlay network, not to
  the service's name: the hub's resolver caches that name, so a server
  started again within minutes would be sought at its old address.
- A task the swarm rejects, or cannot place on any node, fails the spawn at
  once with the engine's reason, and the service is removed. The stock
  spawner waits for a rejected task to come good until the start timeout,
  while the swarm retries it.
- A task mounts whatever volume of a name its node has, so before each
  server every node is asked whether it holds another account's volume of
  one of the server's names (:mod:`stellars_docker.swarm.volume_check`):
  such a node is never where the server runs. The volumes a task creates
  carry the account's ownership labels.

Volumes are local to a node, and a user's servers follow them (pinned to
the node of the first), unless ``volume_options`` puts every volume on
storage all nodes share (:mod:`stellars_docker.swarm.storage`): then no
server is pinned.

Every server's service resolves by DNS round robin (``endpoint_mode:
dnsrr``): nothing depends on the kernel's IPVS, which the ingress routing
mesh and service virtual IPs need. A server that exits is not restarted by
the swarm (``restart_policy: none``): it is stopped, as a container is for
``DockerSpawner``, and the hub sees it so.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any, NoReturn

from docker.errors import APIError
from docker.types import DriverConfig, Mount, RestartPolicy
from dockerspawner import SwarmSpawner as StockSwarmSpawner
from traitlets import Callable, Dict, Float, Unicode, default

from stellars_docker.errors import RestartTimeoutError, ServerStateError, SwarmSpawnError
from stellars_docker.ownership_store import account_of
from stellars_docker.swarm.placements import Placement, pin, placement_of
from stellars_docker.swarm.storage import LOCAL_DRIVER, volume_driver_options
from stellars_docker.swarm.tasks import (
    STARTING_STATES,
    Task,
    current_task,
    task_address,
    task_node,
    task_status,
)
from stellars_docker.swarm.volume_check import VolumeCheck

# Seconds between two looks at a starting task: at first often, as most
# servers run within seconds; then less, but never so seldom that the user
# waits on the look rather than the task (bench/bench_swarm_spawn.py: at most
# 2 s between looks made a spawn 1.35 times one on a single engine). One look
# is one task listing on the manager.
FIRST_LOOK_S = 0.2
LONGEST_LOOK_S = 0.5


class _TaskWillNotRunError(Exception):
    """The service's task will not run; the message says why, in the engine's words."""


class SwarmSpawner(StockSwarmSpawner):  # type: ignore[misc]  # dockerspawner has no types
    """Each user server as a swarm service, reached at its task's overlay address."""

    placement_grace = Float(
        5.0,
        config=True,
        help="""Seconds the swarm may go on finding no node for a server before the spawn
        fails with its reason (no node has the resources, the node a user is pinned to is
        down). The scheduler keeps trying meanwhile, in case a node comes back.""",
    )

    volume_check = Callable(
        None,
        allow_none=True,
        config=True,
        help="""An async function of the spawner, called before a server's service is made,
        that returns a VolumeCheck: the nodes the server must not run on (they hold another
        account's volume of one of its names) and its volumes' ownership labels; it raises
        VolumeOwnershipError to refuse the server. The platform sets it to ask every node's
        agent; None checks nothing.""",
    )

    volume_options = Dict(
        value_trait=Unicode(),
        config=True,
        help="""Options of Docker's local driver for every volume a server mounts, {volume}
        standing for the volume's name (device=/mnt/stellars/{volume} with type=none and
        o=bind, or an NFS export): volumes on storage every node shares, so that no server is
        pinned to a node. The volume's directory must exist before the server starts. Empty:
        local volumes, and each account's servers pinned to the node of its first.""",
    )

    # What the last volume check said: none made yet is nothing to avoid, no labels.
    _volume_check = VolumeCheck()

    @default("cmd")  # type: ignore[untyped-decorator]
    def _cmd_default(self) -> list[str]:
        # Without a command DockerSpawner reads the image's own from the
        # engine it talks to, the manager's, which need not hold the image:
        # each node has or fetches it. This is JupyterHub's single-user
        # server, the lab image's CMD; an image that starts otherwise sets
        # c.SwarmSpawner.cmd.
        return ["jupyterhub-singleuser"]

    @default("use_internal_ip")  # type: ignore[untyped-decorator]
    def _use_internal_ip_default(self) -> bool:
        # The hub and the servers share an overlay network; nothing is published.
        return True

    @default("extra_endpoint_spec")  # type: ignore[untyped-decorator]
    def _extra_endpoint_spec_default(self) -> dict[str, Any]:
        return {"mode": "dnsrr"}

    @default("extra_task_spec")  # type: ignore[untyped-decorator]
    def _extra_task_spec_default(self) -> dict[str, Any]:
        return {"restart_policy": RestartPolicy(condition="none")}

    @property
    def mounts(self) -> list[Mount]:
        """The server's mounts: a name is a volume, an absolute path a bind mount.

        With ``volume_options`` each volume is the local driver's with those
        options (its directory on the storage every node shares).
        """
        labels = self._volume_check.labels
        mounts = []
        for source, target in self.volume_binds.items():
            is_volume = not source.startswith("/")
            mounts.append(
                Mount(
                    target=target["bind"],
                    source=source,
                    type="volume" if is_volume else "bind",
                    read_only=target["mode"] == "ro",
                    driver_config=self._volume_driver(source) if is_volume else None,
                    labels=labels.get(source) if is_volume else None,
                )
            )
        return mounts

    def _volume_driver(self, volume: str) -> DriverConfig | None:
        if not self.volume_options:
            return self.mount_driver_config
        return DriverConfig(LOCAL_DRIVER, volume_driver_options(self.volume_options, volume))

    async def create_object(self) -> Any:
        """Create the server's service: on the node of the user's volumes, labelled as a lab."""
        # The platform finds lab containers by their labels (stats, sizes); a
        # service's labels stay on the service, so the task's container gets
        # the same ones.
        labels = dict(self.extra_create_kwargs.get("labels", {}))
        container_spec: dict[str, Any] = self.extra_container_spec  # type: ignore[has-type]
        placement_spec: dict[str, Any] = self.extra_placement_spec  # type: ignore[has-type]
        if self.volume_check is not None:
            self._volume_check = await self.volume_check(self)
        placement = self._placement()
        constraints = list(placement_spec.get("constraints") or [])
        if placement is not None:
            constraints.append(placement.constraint())
        constraints.extend(f"node.hostname!={node}" for node in self._volume_check.avoid)
        # For this service only: the operator's own values stay as configured.
        self.extra_container_spec = {"labels": labels, **container_spec}
        self.extra_placement_spec = {**placement_spec, "constraints": constraints or None}
        try:
            return await super().create_object()
        finally:
            self.extra_container_spec = container_spec
            self.extra_placement_spec = placement_spec

    async def get_task(self) -> Task | None:
        """Return the service's current task (the newest), or None without service or task."""
        if await self.get_object() is None:
            return None
        try:
            tasks = await self.docker("tasks", filters={"service": self.service_name})
        except APIError as error:
            if error.response is not None and error.response.status_code == HTTPStatus.NOT_FOUND:
                return None
            raise
        return current_task(tasks)

    async def poll(self) -> int | str | None:
        """Return None while the server runs or is starting again, else why it stopped."""
        task = await self.get_task()
        if task is None:
            return 0
        status = task_status(task)
        if status.unplaceable:
            # Its node went (drained, down) and no other may take it: not running.
            return status.reason()
        if status.running or status.state in STARTING_STATES:
            return None
        return status.reason()

    async def start_object(self) -> None:
        """Wait until the service's task runs; fail at once when it cannot.

        Raises:
            SwarmSpawnError: the swarm rejected the task, it stopped before
                running, or no node could take it for ``placement_grace``
                seconds. The service is removed first.
        """
        try:
            task = await self._running_task(replacing=None)
        except _TaskWillNotRunError as refusal:
            await self._abandon(str(refusal))
        await self._pin_where_it_runs(task)

    async def restart_in_place(self, timeout_s: float) -> None:
        """Replace the server's task by a new one and return once that one runs.

        A forced update of the service: the swarm stops the task and starts
        another from the same spec, so on the same node (the placement pins
        it there) with the same volumes. The new task has a new overlay
        address, which ``get_ip_and_port`` then answers.

        Raises:
            ServerStateError: the service no longer exists.
            SwarmSpawnError: the new task cannot run, with the engine's reason;
                the service is left for the hub's next poll to see stopped.
            RestartTimeoutError: the new task did not run within *timeout_s*.
        """
        replaced = await self.get_task()
        try:
            service = await self.docker("inspect_service", self.service_id)
        except APIError as error:
            if error.response is not None and error.response.status_code == HTTPStatus.NOT_FOUND:
                raise ServerStateError(
                    "the server's service no longer exists; stop and start the server again"
                ) from error
            raise
        template = service["Spec"]["TaskTemplate"]
        forced = {**template, "ForceUpdate": int(template.get("ForceUpdate", 0)) + 1}
        await self.docker(
            "update_service",
            self.service_id,
            service["Version"]["Index"],
            task_template=forced,
            fetch_current_spec=True,
        )
        try:
            await asyncio.wait_for(
                self._running_task(replacing=replaced.get("ID") if replaced else None), timeout_s
            )
        except TimeoutError as error:
            raise RestartTimeoutError(
                f"the swarm did not run the server's new task within {timeout_s}s"
            ) from error
        except _TaskWillNotRunError as refusal:
            raise SwarmSpawnError(f"the server did not start again: {refusal}") from refusal

    async def state_after_restart(self) -> str:
        """Return the state of the service's current task ("running", "failed"), or "removed"."""
        task = await self.get_task()
        return "removed" if task is None else task_status(task).state

    async def _running_task(self, replacing: str | None) -> Task:
        """Wait until the service's newest task (not the one *replacing* names) runs; return it.

        Raises:
            _TaskWillNotRunError: the service is gone, the task reached a final
                state, or no node could take it for ``placement_grace`` seconds.
        """
        loop = asyncio.get_running_loop()
        unplaceable_since: float | None = None
        pause = FIRST_LOOK_S
        while True:
            task = await self.get_task()
            if task is None:
                raise _TaskWillNotRunError("the swarm removed the server's service")
            status = task_status(task)
            if task.get("ID") == replacing:
                pass  # the swarm has not made the new task yet
            elif status.running:
                return task
            elif status.final:
                raise _TaskWillNotRunError(
                    f"the swarm could not start the server: {status.reason()}"
                )
            elif status.unplaceable:
                unplaceable_since = unplaceable_since or loop.time()
                if loop.time() - unplaceable_since >= self.placement_grace:
                    raise _TaskWillNotRunError(self._unplaceable(status.reason()))
            else:
                unplaceable_since = None
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, LONGEST_LOOK_S)

    async def get_ip_and_port(self) -> tuple[str, int]:
        """Return the running task's address on the spawner's network, and the server's port.

        Raises:
            SwarmSpawnError: the task has no address on that network.
        """
        task = await self.get_task()
        address = task_address(task, self.network_name) if task is not None else None
        if address is None:
            raise SwarmSpawnError(
                f"the server's task has no address on the network {self.network_name!r}; "
                "the hub and the servers must share an overlay network"
            )
        return address, self.port

    @property
    def pins_volumes(self) -> bool:
        """Whether servers follow their volumes: local volumes, which live on one node."""
        return not self.volume_driver and not self.volume_options

    def _account(self) -> str:
        return account_of(self.user.db, self.user.id).identity

    def _placement(self, account: str | None = None) -> Placement | None:
        if not self.pins_volumes:
            return None
        return placement_of(self.user.db, account or self._account())

    async def _pin_where_it_runs(self, task: Task) -> None:
        # The first server of an account decides where its volumes are.
        node_id = task_node(task)
        if not self.pins_volumes or node_id is None:
            return
        account = self._account()
        if self._placement(account) is not None:
            return
        node = await self.docker("inspect_node", node_id)
        name = str(node.get("Description", {}).get("Hostname", node_id))
        pin(self.user.db, account, node_id, name)
        self.user.db.commit()
        self.log.info("%s's volumes are on the swarm node %s", self.user.name, name)

    def _unplaceable(self, reason: str) -> str:
        placement = self._placement()
        if placement is None:
            avoided = "".join(
                f"; not on {node}: {why}" for node, why in sorted(self._volume_check.avoid.items())
            )
            return f"no node of the swarm can run the server: {reason}{avoided}"
        return (
            f"{self.user.name}'s files are on the swarm node {placement.node_name}, which cannot "
            f"run the server now ({reason}); an admin can move them to another node"
        )

    async def _abandon(self, reason: str) -> NoReturn:
        self.log.warning("Giving up on %s: %s", self.service_name, reason)
        try:
            await self.remove_object()
        except APIError as error:
            if error.response is None or error.response.status_code != HTTPStatus.NOT_FOUND:
                raise
        self.clear_state()
        raise SwarmSpawnError(reason)
