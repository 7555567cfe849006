"""Reading a swarm service's tasks: which one is current, where it listens, why it failed.

Pure functions of the engine's task objects (``GET /tasks``), so that the
spawner's decisions are tested without a swarm and its waiting with one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Task states the swarm never leaves: the server is not coming.
FINAL_STATES = frozenset({"complete", "failed", "shutdown", "rejected", "orphaned", "remove"})
# States on the way to running.
STARTING_STATES = frozenset(
    {"new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting"}
)

Task = Mapping[str, Any]


@dataclass(frozen=True)
class TaskStatus:
    """Where a task stands: its state and the engine's own words about it."""

    state: str
    message: str
    error: str

    @property
    def running(self) -> bool:
        """The container runs."""
        return self.state == "running"

    @property
    def final(self) -> bool:
        """The task will never run (again)."""
        return self.state in FINAL_STATES

    @property
    def unplaceable(self) -> bool:
        """The scheduler found no node for it (it says why in ``error``) and keeps looking."""
        return self.state == "pending" and bool(self.error)

    def reason(self) -> str:
        """The engine's reason, as a person reads it."""
        return self.error or self.message or self.state


def current_task(tasks: Sequence[Task]) -> Task | None:
    """Return the service's newest task, or None when it has none.

    A forced update (a restart) or the swarm's own retry leaves the older
    tasks listed, shut down; the one created last is the one that counts.
    Not the highest version: every change of a task raises its version, and
    the old task's shutdown can be recorded after the new task was made.
    """
    if not tasks:
        return None
    return max(tasks, key=lambda task: (_created(task), task.get("Version", {}).get("Index", 0)))


def _created(task: Task) -> tuple[str, int]:
    # "2026-12-06T09:00:00.5Z": the engine writes nanoseconds without their
    # trailing zeros, so the text does not sort; seconds and nanoseconds do.
    text = str(task.get("CreatedAt", "")).removesuffix("Z")
    seconds, _, fraction = text.partition(".")
    return seconds, int(fraction.ljust(9, "0")[:9] or 0)


def task_status(task: Task) -> TaskStatus:
    """Return *task*'s state and what the engine said about it."""
    status = task.get("Status", {})
    return TaskStatus(
        state=str(status.get("State", "")).lower(),
        message=str(status.get("Message", "")),
        error=str(status.get("Err", "")),
    )


def task_address(task: Task, network: str) -> str | None:
    """Return the task's own address on the overlay network named *network*, or None.

    The hub connects to this address, not to the service's name: the name
    resolves through DNS, which the hub's resolver caches, so a server that
    starts again soon after (a new task, a new address) would be looked for
    at the old one.
    """
    for attachment in task.get("NetworksAttachments") or []:
        spec = attachment.get("Network", {}).get("Spec", {})
        if spec.get("Name") != network:
            continue
        for address in attachment.get("Addresses") or []:
            return str(address).split("/", 1)[0]
    return None


def task_node(task: Task) -> str | None:
    """Return the id of the node the task was placed on, or None before placement."""
    node = task.get("NodeID")
    return str(node) if node else None
