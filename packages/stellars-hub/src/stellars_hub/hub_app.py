"""The JupyterHub application this configuration is loaded into, and work run on its loop."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from stellars_core.scheduler import Every

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import datetime

# Seconds one piece of background work may take to stop when the hub shuts down.
STOP_TIMEOUT_S = 10.0


def running_hub() -> Any:
    """Return the JupyterHub application loading this config, or None outside a hub."""
    from jupyterhub.app import JupyterHub  # noqa: PLC0415 - the app, only when running in it

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return None
    return JupyterHub.instance() if JupyterHub.initialized() else None


def started(app: Any) -> Awaitable[Any] | None:
    """Return what resolves once *app* has started, None where it cannot tell.

    JupyterHub resolves the state of servers that were running before a
    restart only when it finishes starting; this is its private future for
    that, present in JupyterHub 5 and 6.
    """
    return getattr(app, "_start_future", None)


def start_with_the_hub(start: Callable[[], object]) -> None:
    """Call *start* on the hub's loop once the config has loaded; outside a hub, never.

    JupyterHub loads its config file inside its running event loop. Loaded
    elsewhere (a check, a test of the config, ``jupyterhub upgrade-db``,
    which has a loop but serves nothing), nothing is started.
    """
    if running_hub() is None:
        return
    asyncio.get_running_loop().call_soon(start)


def stop_with_the_hub(what: str, stop: Callable[[], Awaitable[object]]) -> None:
    """Await *stop* when the hub shuts down, before JupyterHub's own cleanup; outside a hub, never.

    *what* names the work in the hub's log. Work registered later is stopped
    first. A stop that fails or takes longer than ``STOP_TIMEOUT_S`` is
    logged and the shutdown goes on.
    """
    app = running_hub()
    if app is None:
        return
    cleanup = app.cleanup

    async def stop_then_cleanup() -> None:
        try:
            await asyncio.wait_for(stop(), STOP_TIMEOUT_S)
        except Exception:
            app.log.exception("Stopping %s failed", what)
        else:
            app.log.info("Stopped %s", what)
        await cleanup()

    # JupyterHub has no shutdown hook; its SIGTERM/SIGINT handler and its
    # stop() both await this method by name before cancelling every task.
    app.cleanup = stop_then_cleanup


def with_the_application(callback: Callable[[Any], None]) -> None:
    """Call *callback* with the hub app right after it creates its Tornado application.

    That moment comes after JupyterHub has loaded users, groups and role
    assignments from the configuration and before it serves any request, so
    *callback* can change routes and tidy the database with no request in
    between. Outside a hub, never.
    """
    app = running_hub()
    if app is None:
        return
    create = app.init_tornado_application

    def init_tornado_application() -> None:
        create()
        callback(app)

    # JupyterHub has no hook there; its initialize() calls this method by name.
    app.init_tornado_application = init_tornado_application


def every_once_started(
    name: str, interval_s: float, job: Callable[[datetime], Awaitable[object]]
) -> None:
    """Run *job* every *interval_s* seconds from the moment the hub has started."""
    app = running_hub()
    if app is None:
        return
    every = Every(name, interval_s, job)

    async def start_once_started() -> None:
        # Servers that ran before a restart are known only once the hub has started.
        hub_started = started(app)
        if hub_started is not None:
            await hub_started
        every.start()

    start_with_the_hub(lambda: asyncio.ensure_future(start_once_started()))
    stop_with_the_hub(f"the {name}", every.stop)
