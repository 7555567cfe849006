"""``/hub/api/users/{name}/manage-volumes``: list and delete a user's own volumes."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

from stellars_docker import NO_SUCH_VOLUME, select_volumes
from stellars_docker.errors import ServerStateError
from stellars_ui.handlers.base import StellarsAPIHandler
from stellars_ui.models.volumes import (
    ExistingVolume,
    VolumeDeletion,
    VolumeDeletions,
    VolumeList,
    VolumeSelection,
)

if TYPE_CHECKING:
    from stellars_docker import DeletionResult


class ManageVolumesHandler(StellarsAPIHandler):
    """GET lists the user's existing resettable volumes; DELETE removes the chosen ones."""

    async def get(self, user_name: str) -> None:
        """Answer ``{"volumes": [{suffix, name, mount_point, description, size_bytes}]}``."""
        self.require_user_scope("read:servers", user_name)
        user = self.target_user(user_name)
        runtime = self.docker_runtime
        volumes = await runtime.existing_user_volumes(self.db, user.id)
        self.answer(
            VolumeList(
                volumes=[
                    ExistingVolume.model_validate(volume, from_attributes=True)
                    for volume in volumes
                ]
            )
        )

    async def delete(self, user_name: str) -> None:
        """Delete the volumes named in ``{"volumes": [suffix, ...]}`` of a stopped server.

        Answers 200 when every volume was deleted, 207 when some were, and
        404 (none of them exists) or 409 (the engine refused) when none was;
        the body reports each one.
        """
        self.require_user_scope("servers", user_name)
        user = self.target_user(user_name)
        body = self.body(VolumeSelection)
        runtime = self.docker_runtime
        chosen = select_volumes(runtime.settings.user_volumes, body.volumes)
        spawner = user.spawners[""]
        if spawner.active or spawner.pending:
            state = spawner.pending or "running"
            raise ServerStateError(
                f"{user.name}'s server is {state}: stop it before deleting volumes"
            )
        try:
            results = await runtime.delete_user_volumes(self.db, user.id, chosen)
        except Exception:
            self.db.rollback()
            raise
        # The ownership records of the volumes deleted go with them.
        self.db.commit()
        self.set_status(_status_of(results))
        self.answer(
            VolumeDeletions(
                volumes=[
                    VolumeDeletion.model_validate(result, from_attributes=True)
                    for result in results
                ]
            )
        )


def _status_of(results: list[DeletionResult]) -> HTTPStatus:
    deleted = sum(result.deleted for result in results)
    if deleted == len(results):
        return HTTPStatus.OK
    if deleted:
        return HTTPStatus.MULTI_STATUS
    if all(result.error == NO_SUCH_VOLUME for result in results):
        return HTTPStatus.NOT_FOUND
    return HTTPStatus.CONFLICT
