"""``/hub/activity``: the Activity page; its data comes from ``GET /hub/api/activity``."""

from __future__ import annotations

from jupyterhub.handlers import BaseHandler
from tornado import web

from stellars_ui.handlers.base import PlatformHandler, missing_permission
from stellars_ui.scopes import READ_ACTIVITY, RESET_ACTIVITY, SAMPLE_ACTIVITY


class ActivityPageHandler(PlatformHandler, BaseHandler):  # type: ignore[misc]
    """Render the dashboard for anyone who may read some user's activity."""

    @web.authenticated
    async def get(self) -> None:
        """Render ``activity.html``; 403 without ``read:users:activity`` on any user."""
        if READ_ACTIVITY not in self.parsed_scopes:
            raise missing_permission(READ_ACTIVITY)
        settings = self.platform.ui
        html = await self.render_template(
            "activity.html",
            refresh_interval_s=settings.activity_refresh_interval_s,
            # The buttons are rendered only for those whose scopes allow what they do.
            can_sample=self.has_scope(SAMPLE_ACTIVITY),
            can_reset=self.has_scope(RESET_ACTIVITY),
        )
        self.finish(html)
