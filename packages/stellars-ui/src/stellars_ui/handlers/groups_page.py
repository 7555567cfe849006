"""``/hub/groups``: groups and their policies, from ``/hub/api/stellars/group-policies``."""

from __future__ import annotations

from jupyterhub.handlers import BaseHandler
from tornado import web

from stellars_ui.handlers.base import missing_permission
from stellars_ui.scopes import READ_GROUP_POLICIES, WRITE_GROUP_POLICIES


class GroupsPageHandler(BaseHandler):  # type: ignore[misc]
    """Render the groups and their policies for those who may read them."""

    @web.authenticated
    async def get(self) -> None:
        """Render ``groups.html``; 403 without the read scope. Editing needs the write scope."""
        if not self.has_scope(READ_GROUP_POLICIES):
            raise missing_permission(READ_GROUP_POLICIES)
        html = await self.render_template(
            "groups.html",
            # The edit controls are rendered only for those whose scopes allow a save.
            can_write=self.has_scope(WRITE_GROUP_POLICIES),
            # Members are managed where JupyterHub manages them: its admin page.
            can_manage_members=self.has_scope("admin-ui"),
        )
        self.finish(html)
