"""The favicon in JupyterLab's browser tabs, kernel-busy frames included.

A lab's page takes its favicons from its own server
(``/user/<name>/static/favicons/favicon.ico``, and ``favicon-busy-1.ico`` ...
while a kernel runs), which the hub cannot change. So for each server the
proxy gets one more route, longer than the server's own and so preferred by
the proxy: ``<server prefix>static/favicons/`` to the hub's
``stellars/lab-favicon`` handler, which answers every frame with the
platform's favicon. The hub answers them itself (no redirect back into the
lab's URL space), so no request can loop.

JupyterHub's periodic route check deletes any route it added and does not
expect, and a restarted proxy has no routes at all; routes listed in the
proxy's ``extra_routes`` are the ones it keeps and puts back. Servers that
were running before the hub restarted get theirs again at start-up.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from stellars_auth import shown
from stellars_ui.branding.brand import LAB_ICON_VARIABLES

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from stellars_ui.branding.brand import Branding

log = logging.getLogger(__name__)

# Where Jupyter Server serves a lab's favicons, under the server's prefix.
FAVICON_DIR = "static/favicons/"
# The hub handler that answers them, under the hub prefix.
LAB_FAVICON_PATH = "stellars/lab-favicon"


async def route_lab_favicons(proxy: Any, hub: Any, server_spec: str) -> str:
    """Send the favicons of the server at proxy route *server_spec* to the hub; return the route.

    *proxy* and *hub* are JupyterHub's ``Proxy`` and ``Hub``. Adding the
    same route again changes nothing.
    """
    routespec = f"{server_spec}{FAVICON_DIR}"
    # The hub's address as the proxy reaches it (what JupyterHub's own hub route uses).
    target = f"{hub.host}{hub.base_url}{LAB_FAVICON_PATH}"
    proxy.extra_routes[routespec] = target
    await proxy.add_route(routespec, target, {})
    return routespec


async def restore_lab_favicon_routes(users: Any, proxy: Any, hub: Any) -> int:
    """Route the favicons of every server in *users* (JupyterHub's users) that is running.

    For the servers that outlived a hub restart: the proxy may have lost
    their routes. Returns how many servers got one.
    """
    routed = 0
    for user in list(users.values()):
        for spawner in list(user.spawners.values()):
            if spawner.ready:
                await route_lab_favicons(proxy, hub, spawner.proxy_spec)
                routed += 1
    return routed


def branding_pre_spawn_hook(branding: Branding) -> Callable[[Any], Awaitable[None]]:
    """Return the branding part of the pre-spawn hook.

    It tells the lab where its icons are (``LAB_ICON_VARIABLES``) and routes
    the lab's favicons to the hub when a favicon is configured.
    """

    async def pre_spawn_hook(spawner: Any) -> None:
        hub = spawner.hub
        for variable, name in LAB_ICON_VARIABLES.items():
            href = branding.href(name, hub.base_url)
            if href is not None:
                spawner.environment = {**spawner.environment, variable: href}
        if branding.favicon is not None:
            proxy = spawner.user.settings["proxy"]
            routespec = await route_lab_favicons(proxy, hub, spawner.proxy_spec)
            log.debug(
                "favicons of %s's server come from the hub (%s)",
                shown(spawner.user.name),
                routespec,
            )

    return pre_spawn_hook
