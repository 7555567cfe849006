"""HTTP for Stellars Hub: API handlers, pages, templates and static files."""

from stellars_ui.branding import (
    Branding,
    BrandingError,
    branding_pre_spawn_hook,
    load_asset,
    restore_lab_favicon_routes,
)
from stellars_ui.health import HealthChecks
from stellars_ui.metrics import MetricsRefresher, counting_culls
from stellars_ui.routes import extra_handlers
from stellars_ui.scopes import CUSTOM_SCOPES
from stellars_ui.settings import (
    ACTIVITY_KEY,
    BRANDING_KEY,
    BROADCASTS_KEY,
    DOCKER_KEY,
    HEALTH_KEY,
    IDLE_KEY,
    SETTINGS_KEY,
    BroadcastSettings,
    SettingRow,
    UISettings,
    installed_versions,
)
from stellars_ui.templating import TEMPLATE_DIR, template_vars

__all__ = [
    "ACTIVITY_KEY",
    "BRANDING_KEY",
    "BROADCASTS_KEY",
    "CUSTOM_SCOPES",
    "DOCKER_KEY",
    "HEALTH_KEY",
    "IDLE_KEY",
    "SETTINGS_KEY",
    "TEMPLATE_DIR",
    "Branding",
    "BrandingError",
    "BroadcastSettings",
    "HealthChecks",
    "MetricsRefresher",
    "SettingRow",
    "UISettings",
    "branding_pre_spawn_hook",
    "counting_culls",
    "extra_handlers",
    "installed_versions",
    "load_asset",
    "restore_lab_favicon_routes",
    "template_vars",
]
