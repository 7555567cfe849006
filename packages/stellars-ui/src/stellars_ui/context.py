"""The one object the platform's handlers take their collaborators from.

``stellars_hub.configure`` builds a :class:`PlatformContext` once, from the
parts its steps make, and puts it in JupyterHub's Tornado settings under a
single key; handlers read it through ``PlatformHandler.platform``, never by a
key of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from stellars_activity import ActivityMonitor, IdleSessions
    from stellars_docker import DockerRuntime
    from stellars_docker.policy import PolicySettings
    from stellars_ui.branding import Branding
    from stellars_ui.broadcasts import BroadcastHistory
    from stellars_ui.health import HealthChecks
    from stellars_ui.settings import UISettings

# Private: the context is put there and found there only by this module.
_KEY = "stellars_platform"


class PlatformContextMissingError(LookupError):
    """The hub serves the platform's handlers but was given no :class:`PlatformContext`."""


def _default_policy() -> PolicySettings:
    # Imported here: a hub without stellars-docker passes policy=None and never
    # gets here, so only a hub with group policies imports them.
    from stellars_docker.policy import PolicySettings  # noqa: PLC0415

    return PolicySettings()


@dataclass(frozen=True, slots=True)
class PlatformContext:
    """Everything the platform's handlers work with, built once at start-up.

    Attributes:
        ui: what the pages and the info API show (names, versions, settings rows).
        broadcasts: the broadcast history.
        health: the health checks and their rate limit.
        activity: the activity monitor (store, sampler, listeners).
        idle: the idle culler's sessions (present even when no culler runs:
            they say so).
        docker: the Docker side of the platform; None when servers are not
            containers (the local spawner, Kubernetes).
        policy: the default group policy and how quotas are enforced; None on
            a hub without stellars-docker (Kubernetes), which has no group
            policies. By default, the default policy.
    """

    ui: UISettings
    broadcasts: BroadcastHistory
    health: HealthChecks
    activity: ActivityMonitor
    idle: IdleSessions
    docker: DockerRuntime | None = None
    policy: PolicySettings | None = field(default_factory=_default_policy)

    @property
    def branding(self) -> Branding:
        """Return the operator's branding (the one the pages are rendered with)."""
        return self.ui.branding

    def tornado_settings(self) -> dict[str, PlatformContext]:
        """Return the Tornado settings entry that hands this context to the handlers."""
        return {_KEY: self}

    def __deepcopy__(self, memo: dict[int, object]) -> PlatformContext:
        # traitlets deep-copies every value of a config it loads, Tornado
        # settings included. The context cannot change, and its parts are live
        # services every handler must share (a copy of the activity monitor
        # would be one that never started), so the copy is the object itself.
        # This is the one place the platform answers that mechanism.
        return self


def platform_context(settings: Mapping[str, object]) -> PlatformContext:
    """Return the context in the Tornado *settings*.

    Raises:
        PlatformContextMissingError: *settings* hold none (configure() was not
            used, or the config file replaced the Tornado settings after it).
    """
    context = settings.get(_KEY)
    if not isinstance(context, PlatformContext):
        raise PlatformContextMissingError(
            "The hub serves the Stellars Hub handlers but its Tornado settings hold no "
            "PlatformContext. configure(c) puts one there: call it in jupyterhub_config.py, "
            "and add to c.JupyterHub.tornado_settings after it rather than replacing them."
        )
    return context
