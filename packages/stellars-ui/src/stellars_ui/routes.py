"""The one list of the platform's HTTP routes.

JupyterHub mounts ``extra_handlers`` under the hub prefix (``/hub/``) *after*
its own routes, so a path one of its handlers already matches would never
reach ours: every path here lives under ``api/stellars/`` or another prefix
core does not own.
"""

from __future__ import annotations

from typing import Any

from stellars_ui.handlers.info import InfoHandler


def extra_handlers() -> list[tuple[str, type[Any]]]:
    """Return the routes for ``c.JupyterHub.extra_handlers``, relative to the hub prefix."""
    return [
        (r"/api/stellars/info", InfoHandler),
    ]
