"""HTTP for Stellars Hub: API handlers, pages, templates and static files."""

from typing import TYPE_CHECKING, Any

from stellars_ui.branding import (
    Branding,
    BrandingError,
    branding_pre_spawn_hook,
    load_asset,
    restore_lab_favicon_routes,
)
from stellars_ui.context import PlatformContext, PlatformContextMissingError, platform_context
from stellars_ui.health import HealthChecks
from stellars_ui.metrics import MetricsRefresher, counting_culls
from stellars_ui.routes import extra_handlers, require_platform_context
from stellars_ui.scopes import CUSTOM_SCOPES
from stellars_ui.settings import (
    BroadcastSettings,
    SettingRow,
    UISettings,
    installed_versions,
)
from stellars_ui.templating import TEMPLATE_DIR, template_vars

if TYPE_CHECKING:
    from stellars_ui.spawn_form import make_options_form, options_from_form, profile_form

# The spawn form offers group policies' profiles, which come from
# stellars-docker: imported on first use, so that a hub without it
# (Kubernetes) can import this package.
_NEEDS_DOCKER = frozenset({"make_options_form", "options_from_form", "profile_form"})

__all__ = [
    "CUSTOM_SCOPES",
    "TEMPLATE_DIR",
    "Branding",
    "BrandingError",
    "BroadcastSettings",
    "HealthChecks",
    "MetricsRefresher",
    "PlatformContext",
    "PlatformContextMissingError",
    "SettingRow",
    "UISettings",
    "branding_pre_spawn_hook",
    "counting_culls",
    "extra_handlers",
    "installed_versions",
    "load_asset",
    "make_options_form",
    "options_from_form",
    "platform_context",
    "profile_form",
    "require_platform_context",
    "restore_lab_favicon_routes",
    "template_vars",
]


def __getattr__(name: str) -> Any:
    if name in _NEEDS_DOCKER:
        from stellars_ui import spawn_form  # noqa: PLC0415

        return getattr(spawn_form, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
