"""Where the platform's templates live, and the variables every page gets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stellars_ui.settings import UISettings

TEMPLATE_DIR = str(Path(__file__).parent / "templates")
STATIC_DIR = str(Path(__file__).parent / "static")


def template_vars(settings: UISettings) -> dict[str, Any]:
    """Return the variables the platform's templates read (``c.JupyterHub.template_vars``)."""
    return {
        "stellars_platform_name": settings.platform_name,
        # Appended to static URLs, so browsers fetch them anew after an upgrade.
        "stellars_version": settings.package_versions.get("stellars-ui") or "dev",
        # The page template asks it for the logo's and favicon's URLs.
        "stellars_branding": settings.branding,
    }
