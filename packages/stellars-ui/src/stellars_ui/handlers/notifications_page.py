"""``/hub/notifications``: the broadcast page; it talks to ``/hub/api/notifications/...``."""

from __future__ import annotations

from jupyterhub.handlers import BaseHandler
from tornado import web

from stellars_ui.broadcasts import MAX_MESSAGE_LENGTH, VARIANTS
from stellars_ui.handlers.base import missing_permission
from stellars_ui.scopes import BROADCAST


class NotificationsPageHandler(BaseHandler):  # type: ignore[misc]
    """Render the broadcast form, results and history for those who may broadcast."""

    @web.authenticated
    async def get(self) -> None:
        """Render ``notifications.html``; 403 without the broadcast scope."""
        if not self.has_scope(BROADCAST):
            raise missing_permission(BROADCAST)
        html = await self.render_template(
            "notifications.html", max_length=MAX_MESSAGE_LENGTH, variants=VARIANTS
        )
        self.finish(html)
