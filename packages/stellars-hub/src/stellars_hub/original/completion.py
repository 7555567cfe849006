"""How a hub configured in the original style gets the rest of the platform.

An original-style ``jupyterhub_config.py`` reads the environment itself,
calls the original functions with explicit values and registers the handlers,
but never calls :func:`stellars_hub.configure`: nothing would put the
platform's objects in the Tornado settings, declare its scopes, add its
templates, routes and services, or start its background work. The original
functions cannot do that while the file runs: they are not given the config
object, and what they need (the hub's database, ``tornado_settings``) is set
after them.

So the first original function called while a hub loads its config watches
the hub's ``tornado_settings``, which every original config sets (it carries
``stellars_config``). JupyterHub applies everything the file configured at
once, after the file ran, and only then notifies; at that moment the file's
values are all known. The platform is then configured by ``configure()``
itself, into a scratch config, from the environment, what the original
calls said and what the file set; and what the file left out is added to the
hub: the platform's Tornado settings, templates, routes, scopes, services,
roles and groups. The file's own values win wherever both set one.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from traitlets.config import Config

from stellars_docker import DEFAULT_USER_VOLUMES
from stellars_hub.configure import configure
from stellars_hub.hub_app import running_hub, start_with_the_hub
from stellars_hub.original.volumes import user_volumes_of
from stellars_hub.settings import load_settings
from stellars_ui import platform_context

if TYPE_CHECKING:
    from collections.abc import Sequence

    from stellars_docker import DockerRuntime
    from stellars_hub.settings import HubSettings

log = logging.getLogger(__name__)

# The key of the original config's own settings in tornado_settings, and the
# ones the platform reads from it (the original deployment's names).
STELLARS_CONFIG = "stellars_config"
_IDLE_VARIABLES = {
    "idle_culler_enabled": "JUPYTERHUB_IDLE_CULLER_ENABLED",
    "idle_culler_timeout": "JUPYTERHUB_IDLE_CULLER_TIMEOUT",
    "idle_culler_max_extension": "JUPYTERHUB_IDLE_CULLER_MAX_EXTENSION",
}
# Settings the original config file handles itself: configure()'s are not used.
_FILE_OWNED = ("JUPYTERHUB_BIND_URL", "JUPYTERHUB_SSL_CERT", "JUPYTERHUB_SSL_KEY")


@dataclass
class OriginalCalls:
    """What the original functions were told, as platform settings (environment variables)."""

    environ: dict[str, str] = field(default_factory=dict)


_PENDING: WeakKeyDictionary[Any, OriginalCalls] = WeakKeyDictionary()


def record(**environ: str) -> None:
    """Remember *environ* for the hub loading its config; outside a hub, do nothing.

    The first call for a hub starts watching its ``tornado_settings``.
    """
    app = running_hub()
    if app is None:
        return
    calls = _PENDING.get(app)
    if calls is None:
        calls = _PENDING[app] = OriginalCalls()
        app.observe(_complete, names="tornado_settings")
    calls.environ.update(environ)


def platform_settings(app: Any, environ: dict[str, str]) -> HubSettings:
    """Return the platform's settings for *app*, whose config file has been read.

    The environment's, then what the original calls said (*environ*), then
    what the file set: the database, the idle culler's values in
    ``stellars_config``, DockerSpawner's image and network, the admins.

    Raises:
        SettingsError: a value is invalid (every bad one is named).
    """
    variables = {name: value for name, value in os.environ.items() if name not in _FILE_OWNED}
    variables.update(
        {
            "JUPYTERHUB_DB_URL": app.db_url,
            # The file sets up TLS itself, if at all.
            "JUPYTERHUB_SSL_ENABLED": "0",
            # What resolve_gpu_mode decided, or no GPUs; detection is not run twice.
            "JUPYTERHUB_GPU_ENABLED": "0",
            "JUPYTERHUB_SPAWNER": "docker"
            if "DockerSpawner" in str(app.spawner_class)
            else "local",
        }
    )
    variables.update(environ)
    stellars_config = app.tornado_settings.get(STELLARS_CONFIG) or {}
    for key, variable in _IDLE_VARIABLES.items():
        if key in stellars_config:
            variables[variable] = str(int(stellars_config[key]))
    spawner = app.config.DockerSpawner
    if "image" in spawner:
        variables["JUPYTERHUB_NOTEBOOK_IMAGE"] = str(spawner.image)
    if "network_name" in spawner:
        variables["JUPYTERHUB_NETWORK_NAME"] = str(spawner.network_name)
    admins = sorted(app.config.Authenticator.get("admin_users", ()))
    if admins:
        variables["JUPYTERHUB_ADMIN"] = admins[0]
    return load_settings(variables)


def _complete(change: Any) -> None:
    app = change["owner"]
    calls = _PENDING.pop(app, None)
    if calls is None:  # done already: this is the notice of our own assignment
        return
    stellars_config = app.tornado_settings.get(STELLARS_CONFIG) or {}
    scratch = Config()
    configure(scratch, platform_settings(app, calls.environ))
    runtime = platform_context(scratch.JupyterHub.tornado_settings).docker
    if runtime is not None:
        start_with_the_hub(lambda: _use_the_files_volumes(app, runtime, stellars_config))
    add_platform(app, scratch.JupyterHub)
    log.info("the original-style configuration now has the platform's parts too")


def _use_the_files_volumes(
    app: Any, runtime: DockerRuntime, stellars_config: dict[str, Any]
) -> None:
    # The volumes "Manage volumes" lists and resets are the file's own: where
    # it mounts them and what it says they hold; and "Measure now" runs the
    # file's image. Read at start: while the file's values are being applied
    # (when _complete runs), app.config does not hold its DockerSpawner section yet.
    spawner = app.config.DockerSpawner
    user_volumes = user_volumes_of(
        spawner.get("volumes", {}), stellars_config.get("volume_descriptions")
    )
    _warn_about_other_volumes(stellars_config, [volume.suffix for volume in user_volumes])
    image = spawner.get("image")
    runtime.use_spawner_config(
        user_volumes=user_volumes, image=image if isinstance(image, str) else None
    )


def _warn_about_other_volumes(
    stellars_config: dict[str, Any], managed: Sequence[str] | None = None
) -> None:
    # "Manage volumes" offers the volumes of DockerSpawner.volumes (*managed*;
    # the platform's home, workspace and cache without any); a file whose
    # stellars_config lists others is told which ones it really offers.
    given = list(stellars_config.get("user_volume_suffixes") or [])
    known = list(managed) if managed else [volume.suffix for volume in DEFAULT_USER_VOLUMES]
    if given and given != known:
        log.warning(
            "stellars_config lists the user volumes %s; the platform manages %s",
            ", ".join(given),
            ", ".join(known),
        )


def add_platform(app: Any, platform: Any) -> None:
    """Add to *app* what the platform's config section *platform* has and the file did not set."""
    app.template_paths = [*platform.get("template_paths", []), *app.template_paths]
    app.template_vars = {**platform.get("template_vars", {}), **app.template_vars}
    registered = {route[0] for route in app.extra_handlers}
    app.extra_handlers = [
        *app.extra_handlers,
        *(route for route in platform.get("extra_handlers", []) if route[0] not in registered),
    ]
    app.custom_scopes = {**platform.get("custom_scopes", {}), **app.custom_scopes}
    app.load_groups = {**platform.get("load_groups", {}), **app.load_groups}
    # The platform's services and roles replace the file's of the same name:
    # those came from the original functions, made before the database was known.
    app.services = _by_name(app.services, platform.get("services", []))
    app.load_roles = _by_name(app.load_roles, platform.get("load_roles", []))
    # Last: this assignment notifies _complete again, which finds nothing pending.
    app.tornado_settings = {**platform.get("tornado_settings", {}), **app.tornado_settings}


def _by_name(current: list[dict[str, Any]], platform: list[dict[str, Any]]) -> list[dict[str, Any]]:
    replaced = {entry["name"] for entry in platform}
    return [*(entry for entry in current if entry["name"] not in replaced), *platform]
