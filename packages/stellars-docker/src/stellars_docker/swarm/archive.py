"""The archive of deleted accounts' volumes on a swarm whose volumes are each node's own.

On one host the archive is the hub's engine's volumes whose owner is gone
(:mod:`stellars_docker.ownership`). On a swarm with local volumes a deleted
account's volumes stay on the node its servers ran on, which the hub's own
engine does not see, so:

- the archive is listed from every node's agent, each volume with the nodes
  it is on; a node whose agent does not answer is left out (and logged);
- a purge removes the volume on those nodes only, through their agents,
  each of which removes it only if its labels say it is the deleted
  account's;
- an assignment is the hub's record, as on one host (Docker cannot change a
  volume's labels), which every agent honours from then on; and an account
  not yet pinned to a node is pinned to the one that holds the volume, so
  that its next server finds it there.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from stellars_docker.errors import ArchiveError
from stellars_docker.labels import OWNER_LABEL, OWNER_NAME_LABEL, VOLUME_SUFFIX_LABEL
from stellars_docker.ownership import (
    CONTAINER_GONE_WAIT_S,
    ArchivedVolume,
    archived_among,
    archived_named,
    assign_archived,
)
from stellars_docker.ownership_store import Account, forget_volume
from stellars_docker.swarm.agent.client import claims_for, removal_of
from stellars_docker.swarm.agent.protocol import (
    REMOVE_PATH,
    USER_VOLUMES_PATH,
    NoBody,
    NodeUserVolume,
    RemoveAnswer,
    RemoveRequest,
    UserVolumesAnswer,
)
from stellars_docker.swarm.moves import find_node
from stellars_docker.swarm.placements import pin, placement_of

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from stellars_docker.ownership_store import Database
    from stellars_docker.swarm.agent.client import AgentClient
    from stellars_docker.volumes import UserVolume

log = logging.getLogger(__name__)


def _labels_of(volume: NodeUserVolume) -> dict[str, str]:
    # The ownership labels the agent read, as archived_among reads labels.
    labels = {
        OWNER_LABEL: volume.owner,
        OWNER_NAME_LABEL: volume.owner_name,
        VOLUME_SUFFIX_LABEL: volume.suffix,
    }
    return {key: value for key, value in labels.items() if value is not None}


def archived_on_nodes(
    db: Database, answers: Mapping[str, UserVolumesAnswer], sizes: Mapping[str, int | None]
) -> list[ArchivedVolume]:
    """Return the volumes in *answers* (each node's) whose owner is gone, oldest deletion first.

    Each node's volumes are judged on their own labels: a name can be an
    archive on one node and a living account's volume on another. An
    archive on several nodes (a move's old copy left behind) is listed once,
    with every node it is on.
    """
    found: dict[str, ArchivedVolume] = {}
    for node in sorted(answers):
        listed = [(volume.name, _labels_of(volume)) for volume in answers[node].volumes]
        for volume in archived_among(db, listed, sizes):
            known = found.get(volume.name, volume)
            found[volume.name] = replace(known, nodes=(*known.nodes, node))
    return sorted(found.values(), key=ArchivedVolume.archive_order)


async def archived_volumes(
    agents: AgentClient, db: Database, sizes: Mapping[str, int | None]
) -> list[ArchivedVolume]:
    """Return the archive over every node whose agent answered.

    Raises:
        DockerUnavailableError: the manager did not answer, or no agent did.
    """
    asked = await agents.ask_some(USER_VOLUMES_PATH, NoBody(), UserVolumesAnswer)
    return archived_on_nodes(db, asked.answers, sizes)


async def purge_archived_volume(agents: AgentClient, db: Database, name: str) -> None:
    """Remove the archived volume *name* on the nodes it is on, and its records.

    The caller commits *db*.

    Raises:
        NotArchivedError: *name* is not an archived volume on any node that answered.
        ArchiveError: a node did not remove it (a container uses it, its agent
            did not answer).
        DockerUnavailableError: the manager did not answer, or no agent did.
    """
    archived = archived_named(await archived_volumes(agents, db, {}), name)
    owner = Account(archived.owner, archived.owner_name)
    # Its account may have been deleted moments ago: its server's task's
    # container may still be going.
    asked = await agents.ask_some(
        REMOVE_PATH,
        RemoveRequest(volumes=claims_for(db, owner, [name]), wait_s=CONTAINER_GONE_WAIT_S),
        RemoveAnswer,
        timeout_s=agents.settings.timeout_s + CONTAINER_GONE_WAIT_S,
        nodes=archived.nodes,
    )
    removed, why = removal_of(name, asked)
    if not removed:
        raise ArchiveError(f"{name!r} was not purged: {why}")
    forget_volume(db, name)
    log.info("purged the archived volume %s on %s", name, ", ".join(archived.nodes))


async def assign_archived_volume(
    agents: AgentClient,
    db: Database,
    name: str,
    user_id: int,
    *,
    user_volumes: Sequence[UserVolume],
) -> Account:
    """Give the archived *name* to hub user *user_id*; return that account.

    An account with no node yet is pinned to the node that holds the volume.
    One pinned elsewhere stays there: the volume is its, and a move without
    the files takes the account to it. The caller commits *db*.

    Raises:
        NotArchivedError: *name* is not an archived volume on any node that answered.
        ArchiveError: *name* is not one of that account's volume names.
        DockerUnavailableError: the manager did not answer, or no agent did.
    """
    archived = archived_named(await archived_volumes(agents, db, {}), name)
    account = assign_archived(db, archived, user_id, user_volumes)
    if placement_of(db, account.identity) is None and len(archived.nodes) == 1:
        node = find_node(await agents.nodes(), archived.nodes[0])
        pin(db, account.identity, node.node_id, node.name)
        log.info("%s is pinned to the node %s, which holds %s", account.name, node.name, name)
    return account
