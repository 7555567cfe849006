"""Stellars Hub: the platform assembled from its packages, configured from the environment."""

from stellars_auth import StellarsNativeAuthenticator
from stellars_hub.configure import configure
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
from stellars_hub.settings import HubSettings, SettingsError, load_settings

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
