"""Which of the platform's schema histories live in which database, and upgrading them all.

The activity tables live in ``JUPYTERHUB_ACTIVITYMON_DB_URL`` when it is set;
every other table of the platform is in the hub's own database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stellars_activity.schema import HISTORY as ACTIVITY
from stellars_auth.schema import HISTORY as AUTH
from stellars_core.migrations import SchemaHistory, upgrade
from stellars_ui.schema import HISTORY as UI

__all__ = ["ACTIVITY", "AUTH", "DOCKER", "UI", "platform_histories", "upgrade_platform"]

if TYPE_CHECKING:
    from stellars_docker.schema import HISTORY as DOCKER
    from stellars_hub.settings import HubSettings


def __getattr__(name: str) -> SchemaHistory:
    # DOCKER is stellars-docker's: imported on first use, so that a hub
    # without it (Kubernetes) can import this module.
    if name == "DOCKER":
        return _docker_history()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _docker_history() -> SchemaHistory:
    from stellars_docker.schema import HISTORY  # noqa: PLC0415 - see __getattr__

    return HISTORY


def platform_histories(settings: HubSettings) -> dict[str, tuple[SchemaHistory, ...]]:
    """Return the histories each database of *settings* holds, by database URL.

    On Kubernetes, stellars-docker's tables are not made: nothing there uses them.
    """
    hub_histories = (
        (AUTH, UI) if settings.spawner == "kubernetes" else (AUTH, _docker_history(), UI)
    )
    databases: dict[str, tuple[SchemaHistory, ...]] = {settings.database_url(): hub_histories}
    activity_url = settings.activitymon_db_url or settings.database_url()
    databases[activity_url] = (*databases.get(activity_url, ()), ACTIVITY)
    return databases


def upgrade_platform(settings: HubSettings) -> None:
    """Bring every platform table of *settings*' databases to its newest revision.

    Each database is upgraded in one transaction of its own.

    Raises:
        MigrationError: a revision failed; its database is as it was before.
    """
    for db_url, histories in platform_histories(settings).items():
        upgrade(db_url, histories)
