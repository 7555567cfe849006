"""``GET /hub/api/stellars/info``: the platform and the versions it runs."""

from __future__ import annotations

import jupyterhub
from jupyterhub.scopes import needs_scope

from stellars_ui.handlers.base import StellarsAPIHandler
from stellars_ui.models.platform import Info


class InfoHandler(StellarsAPIHandler):
    """Report the platform name and the versions of JupyterHub and each package.

    Needs ``read:hub``, the core scope for reading details about the hub.
    """

    @needs_scope("read:hub")  # type: ignore[untyped-decorator]
    def get(self) -> None:
        """Answer ``{"platform", "jupyterhub", "packages": {name: version or null}}``."""
        settings = self.platform.ui
        self.answer(
            Info(
                platform=settings.platform_name,
                jupyterhub=jupyterhub.__version__,
                packages=dict(settings.package_versions),
            )
        )
