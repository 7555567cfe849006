"""``/hub/settings``: every setting with its effective value, the GPUs and the versions.

Rendered on the server from what the hub was configured with; nothing on the
page changes while the hub runs, so it needs no script and no API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import jupyterhub
from jupyterhub.handlers import BaseHandler
from tornado import web

from stellars_ui.handlers.base import PlatformHandler, missing_permission
from stellars_ui.line_breaks import break_points
from stellars_ui.scopes import READ_SETTINGS
from stellars_ui.settings import GPU_CATEGORY, LAB_SERVICES_CATEGORY

if TYPE_CHECKING:
    from collections.abc import Iterable

    from stellars_ui.settings import SettingRow


def by_category(rows: Iterable[SettingRow]) -> list[tuple[str, list[SettingRow]]]:
    """Return *rows* grouped by category, categories and rows in the order given.

    The rows come in schema order, which is the order the settings are
    documented in, so the page keeps it rather than sorting.
    """
    groups: dict[str, list[SettingRow]] = {}
    for row in rows:
        groups.setdefault(row.category, []).append(row)
    return list(groups.items())


class SettingsPageHandler(PlatformHandler, BaseHandler):  # type: ignore[misc]
    """Render the platform's settings for those who may read them."""

    @web.authenticated
    async def get(self) -> None:
        """Render ``settings.html``; 403 without the settings scope."""
        if not self.has_scope(READ_SETTINGS):
            raise missing_permission(READ_SETTINGS)
        settings = self.platform.ui
        # Absent when servers are local processes: then no GPU is ever used.
        runtime = self.platform.docker
        html = await self.render_template(
            "settings.html",
            setting_groups=by_category(settings.settings_report),
            gpu=runtime.gpu if runtime is not None else None,
            jupyterhub_version=jupyterhub.__version__,
            package_versions=settings.package_versions,
            break_points=break_points,
            gpu_category=GPU_CATEGORY,
            lab_services_category=LAB_SERVICES_CATEGORY,
        )
        self.finish(html)
