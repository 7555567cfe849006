"""The one list of the platform's HTTP routes.

JupyterHub mounts ``extra_handlers`` under the hub prefix (``/hub/``) *after*
its own routes, so a path one of its handlers already matches would never
reach ours: every path here is one core does not own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tornado.web import StaticFileHandler

from stellars_ui.branding import ASSET_PATH, FAVICON_DIR, LAB_FAVICON_PATH
from stellars_ui.context import PlatformContextMissingError, platform_context
from stellars_ui.handlers.account import AccountHandler
from stellars_ui.handlers.activity import (
    ActivityHandler,
    ActivityResetHandler,
    ActivitySampleHandler,
)
from stellars_ui.handlers.activity_page import ActivityPageHandler
from stellars_ui.handlers.archive import (
    ArchivedVolumeHandler,
    ArchivedVolumesHandler,
    AssignArchivedVolumeHandler,
)
from stellars_ui.handlers.base import PlatformHandler
from stellars_ui.handlers.branding import BrandingAssetHandler, LabFaviconHandler
from stellars_ui.handlers.credentials import CredentialsHandler
from stellars_ui.handlers.docker_grants import DockerGrantsHandler
from stellars_ui.handlers.health import HealthHandler
from stellars_ui.handlers.info import InfoHandler
from stellars_ui.handlers.notifications import (
    ActiveServersHandler,
    BroadcastHandler,
    BroadcastHistoryHandler,
)
from stellars_ui.handlers.notifications_page import NotificationsPageHandler
from stellars_ui.handlers.openapi import OpenAPIHandler, load_openapi
from stellars_ui.handlers.restart import RestartServerHandler
from stellars_ui.handlers.sessions import ExtendSessionHandler, SessionInfoHandler
from stellars_ui.handlers.settings_page import SettingsPageHandler
from stellars_ui.handlers.volumes import ManageVolumesHandler
from stellars_ui.templating import STATIC_DIR

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

USER = r"(?P<user_name>[^/]+)"
VOLUME = r"(?P<volume>[^/]+)"


def extra_handlers() -> list[tuple[Any, ...]]:
    """Return the routes for ``c.JupyterHub.extra_handlers``, relative to the hub prefix."""
    return [
        (r"/activity", ActivityPageHandler),
        (r"/api/activity", ActivityHandler),
        (r"/api/activity/reset", ActivityResetHandler),
        (r"/api/activity/sample", ActivitySampleHandler),
        (r"/api/admin/credentials", CredentialsHandler),
        (r"/notifications", NotificationsPageHandler),
        (r"/api/notifications/active-servers", ActiveServersHandler),
        (r"/api/notifications/broadcast", BroadcastHandler),
        (r"/api/notifications/history", BroadcastHistoryHandler),
        (r"/settings", SettingsPageHandler),
        (r"/api/stellars/archived-volumes", ArchivedVolumesHandler),
        (rf"/api/stellars/archived-volumes/{VOLUME}", ArchivedVolumeHandler),
        (rf"/api/stellars/archived-volumes/{VOLUME}/assign", AssignArchivedVolumeHandler),
        (r"/api/stellars/docker-grants", DockerGrantsHandler),
        (r"/api/stellars/health", HealthHandler),
        (r"/api/stellars/info", InfoHandler),
        (r"/api/stellars/openapi\.json", OpenAPIHandler, {"document": load_openapi()}),
        (rf"/api/users/{USER}/account", AccountHandler),
        (rf"/api/users/{USER}/manage-volumes", ManageVolumesHandler),
        (rf"/api/users/{USER}/restart-server", RestartServerHandler),
        (rf"/api/users/{USER}/session-info", SessionInfoHandler),
        (rf"/api/users/{USER}/extend-session", ExtendSessionHandler),
        (r"/stellars/static/(.*)", StaticFileHandler, {"path": STATIC_DIR}),
        (rf"/{ASSET_PATH}(?P<name>[a-z-]+)", BrandingAssetHandler),
        # The proxy forwards a lab's favicon request with its whole path appended.
        (rf"/{LAB_FAVICON_PATH}/.*/{FAVICON_DIR}(?P<frame>favicon[^/]*\.ico)", LabFaviconHandler),
    ]


def require_platform_context(
    routes: Iterable[Sequence[Any]], settings: Mapping[str, object]
) -> None:
    """Check that Tornado *settings* hold the context that any platform handler in *routes* needs.

    Meant for start-up, with the hub's ``extra_handlers`` and its Tornado
    application's settings, so that a hub missing the context refuses to
    start instead of failing its first request.

    Raises:
        PlatformContextMissingError: a route leads to a platform handler and
            *settings* hold no context (the message names the route).
    """
    needing = [
        route[0]
        for route in routes
        if isinstance(route[1], type) and issubclass(route[1], PlatformHandler)
    ]
    if not needing:
        return
    try:
        platform_context(settings)
    except PlatformContextMissingError as error:
        raise PlatformContextMissingError(
            f"{error} ({len(needing)} route(s) need it, {needing[0]!r} among them.)"
        ) from None
