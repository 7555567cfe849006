"""Branding: the hub's logo and favicon, JupyterLab's icons, and the favicon in lab tabs."""

from stellars_ui.branding.assets import (
    CONTENT_TYPES,
    MAX_ASSET_BYTES,
    BrandAsset,
    BrandingError,
    load_asset,
)
from stellars_ui.branding.brand import ASSET_PATH, LAB_ICON_VARIABLES, Branding
from stellars_ui.branding.lab_favicons import (
    FAVICON_DIR,
    LAB_FAVICON_PATH,
    branding_pre_spawn_hook,
    restore_lab_favicon_routes,
    route_lab_favicons,
)

__all__ = [
    "ASSET_PATH",
    "CONTENT_TYPES",
    "FAVICON_DIR",
    "LAB_FAVICON_PATH",
    "LAB_ICON_VARIABLES",
    "MAX_ASSET_BYTES",
    "BrandAsset",
    "Branding",
    "BrandingError",
    "branding_pre_spawn_hook",
    "load_asset",
    "restore_lab_favicon_routes",
    "route_lab_favicons",
]
