"""Where the platform's templates live, and the variables every page gets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from stellars_auth import changes_own_password, waiting_sign_ups

if TYPE_CHECKING:
    from collections.abc import Callable

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
        # Called by JupyterHub with the page's user (see _waiting_for).
        "stellars_waiting_signups": _waiting_for,
        "stellars_changes_password": _changes_password_for,
        # False without stellars-docker (Kubernetes): the pages leave out the
        # Docker parts, whose routes are not registered.
        "stellars_docker": settings.docker,
    }


def _waiting_for(user: Any) -> Callable[[], int | None] | None:
    # A callable, not the number: page.html calls it only for those who may
    # approve, so other users' pages cost no query.
    if user is None:
        return None
    return lambda: waiting_sign_ups(user.authenticator)


def _changes_password_for(user: Any) -> bool:
    return user is not None and changes_own_password(user.authenticator)
