"""What the handlers and pages are configured with."""

from __future__ import annotations

from dataclasses import dataclass

# Handlers find their settings under this key of the Tornado settings.
SETTINGS_KEY = "stellars_ui"


@dataclass(frozen=True)
class UISettings:
    """UI settings, built by ``stellars_hub`` from the environment.

    Attributes:
        platform_name: the name shown in the navigation bar and reported by the info API.
        distributions: the Python distributions whose versions the info API reports.
    """

    platform_name: str = "Stellars Hub"
    distributions: tuple[str, ...] = (
        "stellars-hub",
        "stellars-auth",
        "stellars-docker",
        "stellars-activity",
        "stellars-ui",
    )
