"""Before a server starts on a swarm: the nodes holding another account's volume of its names.

On one host the hub inspects every volume a server would mount before the
spawn (:func:`stellars_docker.ownership.claim_user_volumes`). On a swarm the
volumes are on the nodes where servers ran, which the hub's own engine does
not see, and a task mounts whatever volume of the name its node has: an
archive of a deleted account of the same name, say. So every node's agent
is asked, and:

- a server pinned to a node (its account's volumes are there) does not
  start when that node holds another account's volume of one of its names,
  or when that node's agent cannot say;
- an account's first server, free to go anywhere, is kept off every node
  that holds such a volume and every node whose agent did not answer.

The volumes a task creates carry the account's ownership labels
(:attr:`VolumeCheck.labels`), as the hub's own volumes on one host do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stellars_docker.errors import VolumeOwnershipError
from stellars_docker.ownership import ADMIN_HINT, owner_without_labels, volume_labels
from stellars_docker.ownership_store import account_of, existing_accounts
from stellars_docker.swarm.agent.client import claims_for
from stellars_docker.swarm.agent.protocol import (
    OWNED_PATH,
    ForeignVolume,
    OwnedAnswer,
    VolumesRequest,
)
from stellars_docker.swarm.placements import placement_of

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from stellars_docker.ownership_store import Account, Database
    from stellars_docker.swarm.agent.client import AgentClient
    from stellars_docker.volumes import UserVolume


@dataclass(frozen=True)
class VolumeCheck:
    """What the volumes on the swarm's nodes allow a server to do.

    Attributes:
        labels: the ownership labels of each of the server's volumes, by
            name, for the task to create them with.
        avoid: the nodes (host names) the server must not run on, each with why.
    """

    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    avoid: dict[str, str] = field(default_factory=dict)


def whose(db: Database, account: Account, volume: ForeignVolume) -> str:
    """Return whose *volume* is, in words, as the refusal tells it to *account*'s user."""
    if volume.owner is not None:
        owner_identity, owner_name = volume.owner, volume.owner_name or volume.owner
    else:
        owner = owner_without_labels(db, account, volume.name)
        owner_identity, owner_name = owner.identity, owner.name
    existing = existing_accounts(db).get(owner_identity)
    if existing is not None:
        return f"the account {existing.name!r}"
    return f"the deleted account {owner_name!r}"


async def check_volumes(
    agents: AgentClient, db: Database, user_id: int, volumes: Sequence[tuple[str, str]]
) -> VolumeCheck:
    """Check the account *user_id*'s *volumes* (suffix, name) on every node of the swarm.

    Raises:
        VolumeOwnershipError: the node the account is pinned to holds another
            account's volume of one of the names, or its agent did not answer.
        DockerUnavailableError: the manager's engine did not answer.
    """
    account = account_of(db, user_id)
    names = [name for _suffix, name in volumes]
    labels = {name: volume_labels(account, suffix) for suffix, name in volumes}
    asked = await agents.ask(
        OWNED_PATH, VolumesRequest(volumes=claims_for(db, account, names)), OwnedAnswer
    )
    foreign = {
        node: f"it holds {volume.name!r}, which belongs to {whose(db, account, volume)}"
        for node, answer in asked.answers.items()
        for volume in answer.foreign[:1]
    }
    placement = placement_of(db, account.identity)
    if placement is None:
        unanswered = {
            node: f"its agent did not answer ({why})" for node, why in asked.missing.items()
        }
        return VolumeCheck(labels=labels, avoid={**unanswered, **foreign})
    node = placement.node_name
    if node in foreign:
        raise VolumeOwnershipError(
            f"On the swarm node {node}, where this account's files are, {foreign[node]}, "
            f"not this account {account.name!r}: it is not mounted and the server does not "
            f"start. {ADMIN_HINT}"
        )
    if node in asked.missing:
        raise VolumeOwnershipError(
            f"The volumes on the swarm node {node}, where {account.name!r}'s files are, cannot "
            f"be checked: {asked.missing[node]}. The server starts once that node's agent answers."
        )
    return VolumeCheck(labels=labels)


def make_volume_check(
    agents: Callable[[], AgentClient],
    user_volumes: Callable[[Any], Sequence[UserVolume]],
) -> Callable[[Any], Awaitable[VolumeCheck]]:
    """Return what a swarm spawner calls before it creates a server's service.

    *agents* returns the node agents' client; *user_volumes* a spawner's
    per-user volumes, whose names are made with the spawner's own template
    namespace, exactly as the spawner mounts them.
    """

    async def check(spawner: Any) -> VolumeCheck:
        namespace = spawner.template_namespace()
        volumes = [
            (volume.suffix, volume.name_template.format(**namespace))
            for volume in user_volumes(spawner)
        ]
        return await check_volumes(agents(), spawner.user.db, spawner.user.id, volumes)

    return check
