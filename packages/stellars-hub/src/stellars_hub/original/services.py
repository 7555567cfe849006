"""``get_services_and_roles``: the activity sampler and idle culler as JupyterHub services."""

from __future__ import annotations

import os
from typing import Any

from stellars_hub.configure import managed_services
from stellars_hub.hub_app import running_hub
from stellars_hub.original.completion import record
from stellars_hub.settings import load_settings


def get_services_and_roles(
    culler_enabled: int,
    culler_timeout: int,
    culler_interval: int,
    culler_max_age: int,
    sample_interval: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return ``(services, roles)`` for ``c.JupyterHub.services`` and ``c.JupyterHub.load_roles``.

    Always the activity sampler, a managed service sampling every
    *sample_interval* seconds; the idle culler when *culler_enabled* is 1,
    stopping servers idle for *culler_timeout* seconds (or older than
    *culler_max_age*, 0 for never), checking every *culler_interval*. Each
    role holds only the scopes its service needs.

    Raises:
        SettingsError: a value is out of the platform's range (each is named).
    """
    environ = {
        "JUPYTERHUB_ACTIVITYMON_SAMPLER": "service",
        "JUPYTERHUB_ACTIVITYMON_SAMPLE_INTERVAL": str(int(sample_interval)),
        "JUPYTERHUB_IDLE_CULLER_ENABLED": str(int(culler_enabled)),
        "JUPYTERHUB_IDLE_CULLER_TIMEOUT": str(int(culler_timeout)),
        "JUPYTERHUB_IDLE_CULLER_INTERVAL": str(int(culler_interval)),
        "JUPYTERHUB_IDLE_CULLER_MAX_AGE": str(int(culler_max_age)),
    }
    record(**environ)
    # The database the hub will use is set later in the file; these specs name
    # the one known now, and the hub's own replaces them once it is known.
    app = running_hub()
    db_url = app.db_url if app is not None else os.environ.get("JUPYTERHUB_DB_URL", "")
    if db_url:
        environ["JUPYTERHUB_DB_URL"] = db_url
    return managed_services(load_settings(environ))
