"""``/hub/api/stellars/archived-volumes``: the volumes of deleted accounts, for admins.

An archived volume is mounted by nobody until an admin purges it or assigns
it to the account whose volume name it is (DockerSpawner mounts by name).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stellars_ui.handlers.base import StellarsAPIHandler, isoformat_utc
from stellars_ui.models.common import NoFields
from stellars_ui.models.volumes import (
    ArchivedVolume,
    ArchivedVolumes,
    Assigned,
    Purged,
    VolumeAssignment,
)
from stellars_ui.scopes import ARCHIVE_VOLUMES

if TYPE_CHECKING:
    from stellars_docker import ArchivedVolume as ArchivedVolumeRecord


def _as_json(volume: ArchivedVolumeRecord) -> ArchivedVolume:
    return ArchivedVolume(
        name=volume.name,
        suffix=volume.suffix,
        owner_name=volume.owner_name,
        owner=volume.owner,
        deleted_at=isoformat_utc(volume.deleted_at),
        size_bytes=volume.size_bytes,
        nodes=list(volume.nodes),
    )


class ArchivedVolumesHandler(StellarsAPIHandler):
    """GET lists every archived volume, oldest deletion first."""

    async def get(self) -> None:
        """Answer :class:`ArchivedVolumes`: every archived volume, oldest deletion first."""
        self.require_scope(ARCHIVE_VOLUMES)
        volumes = await self.docker_runtime.archived_volumes(self.db)
        self.answer(ArchivedVolumes(volumes=[_as_json(volume) for volume in volumes]))


class ArchivedVolumeHandler(StellarsAPIHandler):
    """DELETE purges one archived volume: the files are gone for good."""

    async def delete(self, volume: str) -> None:
        """Purge *volume*; answer ``{"purged": name}`` (404 when it is not archived)."""
        self.require_scope(ARCHIVE_VOLUMES)
        self.body(NoFields)
        runtime = self.docker_runtime
        try:
            await runtime.purge_archived_volume(self.db, volume)
        except Exception:
            self.db.rollback()
            raise
        self.db.commit()
        self.log.info("Purged the archived volume %s", volume)
        self.answer(Purged(purged=volume))


class AssignArchivedVolumeHandler(StellarsAPIHandler):
    """POST gives one archived volume to the account whose volume name it is."""

    async def post(self, volume: str) -> None:
        """Assign *volume* to ``{"user": name}``; answer ``{"volume", "user"}``.

        400 for a body without a user's name, 404 for an unknown user or a
        volume that is not archived, 409 when the volume's name is not one of
        that account's (it could never be mounted by it).
        """
        self.require_scope(ARCHIVE_VOLUMES)
        user = self.target_user(self.body(VolumeAssignment).user)
        runtime = self.docker_runtime
        try:
            account = await runtime.assign_archived_volume(self.db, volume, user.id)
        except Exception:
            self.db.rollback()
            raise
        self.db.commit()
        self.log.info("Assigned the archived volume %s to %s", volume, account.name)
        self.answer(Assigned(volume=volume, user=account.name))
