"""What a node agent does on its own node's engine, for the hub.

Each function checks what the hub claims against the volume's own labels
before it acts: a volume labelled as another account's, or as anything but
a user volume (the shared volume, a probe's), is never listed, measured or
removed, whatever the hub asks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import docker.errors

from stellars_docker.engine import call_engine
from stellars_docker.errors import ArchiveError
from stellars_docker.labels import (
    OWNER_LABEL,
    OWNER_NAME_LABEL,
    ROLE_LABEL,
    USER_VOLUME_ROLE,
    VOLUME_SUFFIX_LABEL,
)
from stellars_docker.measure import measure_named_volumes
from stellars_docker.ownership import remove_volume, wait_until_unmounted
from stellars_docker.swarm.agent.protocol import (
    ForeignVolume,
    Measured,
    NodeUserVolume,
    Removal,
    VolumeClaim,
)
from stellars_docker.volumes import NO_SUCH_VOLUME

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def claim_holds(claim: VolumeClaim, labels: Mapping[str, str]) -> bool:
    """Return whether a volume with *labels* is the account *claim* names.

    Assigned to the account by an admin: its, whoever the label names.
    Labelled with an owner: only that owner's. Without one: the hub's word
    (``unlabelled_owned``). Never when another role label says it is no
    user volume at all.
    """
    role = labels.get(ROLE_LABEL)
    if role is not None and role != USER_VOLUME_ROLE:
        return False
    if claim.assigned:
        return True
    owner = labels.get(OWNER_LABEL)
    if owner is not None:
        return owner == claim.owner
    return claim.unlabelled_owned


async def sort_claims(
    client: docker.DockerClient, claims: Sequence[VolumeClaim], limit_s: float
) -> tuple[list[VolumeClaim], list[ForeignVolume]]:
    """Return the *claims* whose volume is here and the account's, and those here but not.

    Raises:
        DockerUnavailableError: the engine did not answer.
    """
    owned = []
    foreign = []
    for claim in claims:
        try:
            info = await call_engine(limit_s, client.api.inspect_volume, claim.name)
        except docker.errors.NotFound:
            continue
        labels = info.get("Labels") or {}
        if claim_holds(claim, labels):
            owned.append(claim)
        else:
            foreign.append(
                ForeignVolume(
                    name=claim.name,
                    owner=labels.get(OWNER_LABEL),
                    owner_name=labels.get(OWNER_NAME_LABEL),
                )
            )
    return owned, foreign


async def user_volumes_here(client: docker.DockerClient, limit_s: float) -> list[NodeUserVolume]:
    """Return every volume here that is a user volume or has no role, with its ownership labels.

    Raises:
        DockerUnavailableError: the engine did not answer.
    """
    listing = await call_engine(limit_s, client.api.volumes)
    found = []
    for volume in listing.get("Volumes") or []:
        labels = volume.get("Labels") or {}
        if labels.get(ROLE_LABEL, USER_VOLUME_ROLE) != USER_VOLUME_ROLE:
            continue
        found.append(
            NodeUserVolume(
                name=volume["Name"],
                owner=labels.get(OWNER_LABEL),
                owner_name=labels.get(OWNER_NAME_LABEL),
                suffix=labels.get(VOLUME_SUFFIX_LABEL),
            )
        )
    return sorted(found, key=lambda volume: volume.name)


async def owned_volumes(
    client: docker.DockerClient, claims: Sequence[VolumeClaim], limit_s: float
) -> list[VolumeClaim]:
    """Return the *claims* whose volume exists on this engine and is the account's.

    Raises:
        DockerUnavailableError: the engine did not answer.
    """
    owned, _foreign = await sort_claims(client, claims, limit_s)
    return owned


async def remove_claimed(
    client: docker.DockerClient, claims: Sequence[VolumeClaim], *, limit_s: float, wait_s: float
) -> list[Removal]:
    """Remove each claimed volume that is here and the account's; return each one's outcome.

    A volume still mounted is waited for up to *wait_s*, then reported in use.

    Raises:
        DockerUnavailableError: the engine did not answer.
    """
    owned = {claim.name for claim in await owned_volumes(client, claims, limit_s)}
    outcomes = []
    for claim in claims:
        if claim.name not in owned:
            outcomes.append(Removal(name=claim.name, removed=False, error=NO_SUCH_VOLUME))
            continue
        if wait_s > 0:
            await wait_until_unmounted(client, claim.name, limit_s, wait_s)
        try:
            await remove_volume(client, claim.name, limit_s)
        except ArchiveError as error:
            outcomes.append(Removal(name=claim.name, removed=False, error=str(error)))
        else:
            outcomes.append(Removal(name=claim.name, removed=True))
    return outcomes


async def measure_claimed(
    client: docker.DockerClient,
    claims: Sequence[VolumeClaim],
    *,
    image: str,
    labels: Mapping[str, str],
    timeout_s: float,
    limit_s: float,
) -> list[Measured]:
    """Return the sizes of the claimed volumes that are here and the account's, measured now.

    Raises:
        DockerUnavailableError: the engine did not answer, refused the
            measuring container, or ``du`` ran past *timeout_s*.
    """
    owned = await owned_volumes(client, claims, limit_s)
    measured = await measure_named_volumes(
        client,
        [("", claim.name) for claim in owned],
        image=image,
        labels=labels,
        timeout_s=timeout_s,
    )
    return [Measured(name=volume.name, size_bytes=volume.size_bytes) for volume in measured]
