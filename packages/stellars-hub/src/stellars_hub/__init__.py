"""Stellars Hub: the platform assembled from its packages, configured from the environment."""

from typing import TYPE_CHECKING, Any

from stellars_auth import StellarsNativeAuthenticator
from stellars_hub.configure import configure
from stellars_hub.settings import HubSettings, SettingsError, load_settings

if TYPE_CHECKING:
    from stellars_hub.original import (
        ensure_groups,
        get_services_and_roles,
        get_user_volume_suffixes,
        make_pre_spawn_hook,
        register_events,
        resolve_gpu_mode,
        schedule_startup_favicon_callback,
        setup_branding,
    )

# The original API (stellars_hub.original) works on Docker: imported on first
# use, so that a hub without stellars-docker (Kubernetes) can import this package.
_ORIGINAL = frozenset(
    {
        "ensure_groups",
        "get_services_and_roles",
        "get_user_volume_suffixes",
        "make_pre_spawn_hook",
        "register_events",
        "resolve_gpu_mode",
        "schedule_startup_favicon_callback",
        "setup_branding",
    }
)

__all__ = [
    "HubSettings",
    "SettingsError",
    "StellarsNativeAuthenticator",
    "configure",
    "ensure_groups",
    "get_services_and_roles",
    "get_user_volume_suffixes",
    "load_settings",
    "make_pre_spawn_hook",
    "register_events",
    "resolve_gpu_mode",
    "schedule_startup_favicon_callback",
    "setup_branding",
]


def __getattr__(name: str) -> Any:
    if name in _ORIGINAL:
        from stellars_hub import original  # noqa: PLC0415 - see _ORIGINAL

        return getattr(original, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
