"""``DELETE /hub/api/users/{name}/account``: delete an account and choose its volumes' fate.

Core JupyterHub owns ``/hub/api/users/{name}`` exactly; its delete keeps
working and archives the volumes. This route is the same delete with the
admin's choice, ``{"volumes": "delete" | "archive"}``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from jupyterhub.utils import maybe_future
from tornado import web

from stellars_docker import ServerStateError, account_of
from stellars_ui.handlers.base import StellarsAPIHandler
from stellars_ui.models.volumes import AccountDeleted, AccountDeletion, VolumeFate


class AccountHandler(StellarsAPIHandler):
    """DELETE removes the hub account and deletes or archives its volumes."""

    async def delete(self, user_name: str) -> None:
        """Delete the account as core's delete does, then its volumes as the body chooses.

        Answers 200 ``{"user", "volumes": [{suffix, name, size_bytes, fate, error}]}``.
        Nothing is deleted unless the engine answered first (503 otherwise), no
        server of the account is starting or stopping (409) and the caller is
        not deleting themself (409).
        """
        self.require_user_scope("admin:users", user_name)
        user = self.target_user(user_name)
        choice = self.body(AccountDeletion).volumes
        if user.name == self.current_user.name:
            raise web.HTTPError(
                HTTPStatus.CONFLICT, "You cannot delete your own account: ask another admin."
            )
        self._refuse_pending(user)
        runtime = self.docker_runtime
        # Listing the volumes is the proof that the engine answers, before
        # anything is stopped or deleted.
        volumes = await runtime.existing_user_volumes(self.db, user.id)
        account = account_of(self.db, user.id)
        for server_name, spawner in list(user.spawners.items()):
            if spawner.active:
                await self.stop_single_user(user, server_name)
        self._refuse_pending(user)
        # As core's UserAPIHandler.delete (JupyterHub 5 and 6). The ORM
        # listener records the deleted account in this same commit, so the
        # volumes are archived from here on, whatever happens next.
        await maybe_future(self.authenticator.delete_user(user))
        await user.delete_spawners()
        self.users.delete(user)
        try:
            fates = await runtime.settle_account_volumes(self.db, account, volumes, choice)
        except Exception:
            self.db.rollback()
            raise
        self.db.commit()
        self.log.info(
            "Deleted the account %s; its volumes: %s",
            account.name,
            ", ".join(f"{fate.name} {fate.fate}" for fate in fates) or "none",
        )
        self.answer(
            AccountDeleted(
                user=account.name,
                volumes=[VolumeFate.model_validate(fate, from_attributes=True) for fate in fates],
            )
        )

    @staticmethod
    def _refuse_pending(user: Any) -> None:
        for spawner in user.spawners.values():
            if spawner.pending:
                raise ServerStateError(
                    f"{user.name}'s server has a {spawner.pending} pending: "
                    "wait for it to finish before deleting the account"
                )
