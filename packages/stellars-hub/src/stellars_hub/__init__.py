"""Stellars Hub: the platform assembled from its packages, configured from the environment."""

from stellars_auth import StellarsNativeAuthenticator
from stellars_hub.configure import configure
from stellars_hub.settings import HubSettings, SettingsError, load_settings

__all__ = [
    "HubSettings",
    "SettingsError",
    "StellarsNativeAuthenticator",
    "configure",
    "load_settings",
]
