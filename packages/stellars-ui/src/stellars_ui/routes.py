"""The one list of the platform's HTTP routes.

JupyterHub mounts ``extra_handlers`` under the hub prefix (``/hub/``) *after*
its own routes, so a path one of its handlers already matches would never
reach ours: every path here is one core does not own. The API's routes come
from the route table (``stellars_ui.api_routes``), which the OpenAPI document
is generated from too: an API route cannot go undocumented.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tornado.web import StaticFileHandler

from stellars_ui.api_routes import platform_api_routes
from stellars_ui.branding import ASSET_PATH, FAVICON_DIR, LAB_FAVICON_PATH
from stellars_ui.context import PlatformContextMissingError, platform_context
from stellars_ui.handlers.activity_page import ActivityPageHandler
from stellars_ui.handlers.base import PlatformHandler
from stellars_ui.handlers.branding import BrandingAssetHandler, LabFaviconHandler
from stellars_ui.handlers.groups_page import GroupsPageHandler
from stellars_ui.handlers.notifications_page import NotificationsPageHandler
from stellars_ui.handlers.openapi import OpenAPIHandler
from stellars_ui.handlers.settings_page import SettingsPageHandler
from stellars_ui.openapi import load_openapi
from stellars_ui.templating import STATIC_DIR

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence


def extra_handlers(*, docker: bool = True) -> list[tuple[Any, ...]]:
    """Return the routes for ``c.JupyterHub.extra_handlers``, relative to the hub prefix.

    Without *docker* (servers that are not Docker containers and no
    stellars-docker installed: Kubernetes), the Docker API and the Groups page,
    which edits group policies, are left out, and stellars-docker is never
    imported: a request to them is JupyterHub's own 404.

    Raises:
        ModuleNotFoundError: *docker* is true and stellars-docker is not installed.
    """
    routes = platform_api_routes(docker=docker)
    # Generated once here, at start-up; every request is answered from it.
    document = load_openapi(routes)
    api: list[tuple[Any, ...]] = [
        (route.pattern, route.handler, {"document": document})
        if route.handler is OpenAPIHandler
        else (route.pattern, route.handler)
        for route in routes
    ]
    pages: list[tuple[Any, ...]] = [(r"/activity", ActivityPageHandler)]
    if docker:
        pages.append((r"/groups", GroupsPageHandler))
    return [
        *api,
        *pages,
        (r"/notifications", NotificationsPageHandler),
        (r"/settings", SettingsPageHandler),
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
