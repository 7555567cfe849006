"""``POST /hub/api/users/{name}/restart-server``: restart a running server in place."""

from __future__ import annotations

from stellars_docker import restart_server
from stellars_docker.errors import ServerStateError
from stellars_ui.handlers.base import StellarsAPIHandler
from stellars_ui.models.common import NoFields
from stellars_ui.models.volumes import Restarted


class RestartServerHandler(StellarsAPIHandler):
    """Restart the user's container and answer once JupyterLab answers again."""

    async def post(self, user_name: str) -> None:
        """Answer ``{"restarted": true, "url": ...}``; 409 when not running or restarting."""
        self.require_user_scope("servers", user_name)
        user = self.target_user(user_name)
        runtime = self.docker_runtime
        self.body(NoFields)
        spawner = user.spawners[""]
        if not spawner.ready:
            raise ServerStateError(f"{user.name}'s server is not running")
        with runtime.restarts.claim(f"{user.name}/"):
            await restart_server(
                runtime.client,
                spawner,
                limit_s=runtime.settings.engine_timeout_s,
                ready_timeout_s=runtime.settings.restart_timeout_s,
                commit=self.db.commit,
            )
            # The container's published port changes on restart: point the route at it again.
            await self.proxy.add_user(user)
        self.answer(Restarted(restarted=True, url=user.url))
