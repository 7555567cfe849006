"""What the handlers and pages are configured with."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

from stellars_ui.branding.brand import Branding

PLATFORM_DISTRIBUTIONS = (
    "stellars-hub",
    "stellars-auth",
    "stellars-docker",
    "stellars-activity",
    "stellars-ui",
)


def installed_versions(distributions: tuple[str, ...]) -> dict[str, str | None]:
    """Return each distribution's installed version, None for one that is not installed.

    Reads package metadata from disk: call it at start-up, never from a handler.
    """
    versions: dict[str, str | None] = {}
    for name in distributions:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


@dataclass(frozen=True)
class BroadcastSettings:
    """How broadcasts reach the labs.

    Attributes:
        sender: the hub service broadcasts are sent as (see
            ``stellars_ui.broadcasts.sender_service``).
        timeout_s: seconds one server has to take a notification.
        concurrency: requests in flight at once; with at least as many as
            there are running servers, a broadcast takes one timeout at most.
    """

    sender: str = "stellars-notifications"
    timeout_s: float = 5.0
    concurrency: int = 200


# The settings page shows what the hub decided about GPUs under this category,
# and says under this one that the lab image must bring the tools; the
# schema (stellars_hub) files its settings under the same names.
GPU_CATEGORY = "GPU"
LAB_SERVICES_CATEGORY = "Lab services"


@dataclass(frozen=True)
class SettingRow:
    """One setting of the platform as the settings page lists it, every part already text.

    ``stellars_hub`` makes these from its settings schema; this package only
    shows them, so it never sees a secret: a secret's value and default are
    masked before they get here.

    Attributes:
        name: the environment variable, e.g. ``JUPYTERHUB_ADMIN``.
        category: the group it is listed under, e.g. ``Accounts``.
        value: the effective value; a mask for a secret.
        default: the value when the variable is not set; a mask for a secret.
        allowed: what the setting accepts, in words.
        description: what the setting does.
        secret: *value* and *default* are masks, not values.
    """

    name: str
    category: str
    value: str
    default: str
    allowed: str
    description: str
    secret: bool


@dataclass(frozen=True)
class UISettings:
    """UI settings, built by ``stellars_hub`` from the environment.

    Attributes:
        platform_name: the name shown in the navigation bar and reported by the info API.
        package_versions: the platform's distributions and their versions, as
            the info API reports them; read once when the settings are made.
        activity_refresh_interval_s: seconds between two refreshes of the
            Activity page's table.
        broadcasts: how broadcasts reach the labs.
        settings_report: every setting of the platform, in schema order, for
            the settings page.
        branding: the logo, favicon and lab icons the operator configured.
        docker: whether the hub has the platform's Docker parts (volumes,
            archive, grants, group policies); false on a hub without
            stellars-docker (Kubernetes), whose pages leave them out.
    """

    platform_name: str = "Stellars Hub"
    activity_refresh_interval_s: int = 60
    broadcasts: BroadcastSettings = field(default_factory=BroadcastSettings)
    package_versions: dict[str, str | None] = field(
        default_factory=lambda: installed_versions(PLATFORM_DISTRIBUTIONS)
    )
    settings_report: tuple[SettingRow, ...] = ()
    branding: Branding = field(default_factory=Branding)
    docker: bool = True
