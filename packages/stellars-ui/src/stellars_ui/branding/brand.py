"""The platform's branding images, and the URL each is found at."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stellars_ui.branding.assets import BrandAsset

# Where the hub serves an image it read from a file, under the hub prefix.
ASSET_PATH = "stellars/branding/"
# The variables a lab container reads its icons' URLs from (the names the
# original deployment's lab image reads).
LAB_ICON_VARIABLES = {
    "JUPYTERLAB_MAIN_ICON_URI": "lab-main-icon",
    "JUPYTERLAB_SPLASH_ICON_URI": "lab-splash-icon",
}


@dataclass(frozen=True)
class Branding:
    """The images an operator configured; None for one left to JupyterHub's or JupyterLab's own.

    Attributes:
        logo: the navigation bar's logo on every hub page.
        favicon: the browser tab's icon on hub pages and in JupyterLab tabs.
        lab_main_icon: JupyterLab's main (top-left) icon, for the lab image to show.
        lab_splash_icon: JupyterLab's splash-screen icon, for the lab image to show.
    """

    logo: BrandAsset | None = None
    favicon: BrandAsset | None = None
    lab_main_icon: BrandAsset | None = None
    lab_splash_icon: BrandAsset | None = None

    def assets(self) -> dict[str, BrandAsset]:
        """Return the configured images by URL name (``logo``, ``lab-main-icon``, ...)."""
        named = (
            (field.name.replace("_", "-"), getattr(self, field.name)) for field in fields(self)
        )
        return {name: asset for name, asset in named if asset is not None}

    def href(self, name: str, hub_prefix: str) -> str | None:
        """Return where a browser finds image *name*; None when it is not configured.

        An external image's own URL; a served one's path under *hub_prefix*
        (``/hub/`` or ``/base/hub/``), with its digest so a changed image is
        fetched anew.
        """
        asset = self.assets().get(name)
        if asset is None:
            return None
        if asset.url is not None:
            return asset.url
        return f"{hub_prefix}{ASSET_PATH}{name}?v={asset.version}"
