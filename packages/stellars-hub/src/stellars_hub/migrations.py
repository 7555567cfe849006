"""Which of the platform's schema histories live in which database, and upgrading them all.

The activity tables live in ``JUPYTERHUB_ACTIVITYMON_DB_URL`` when it is set;
every other table of the platform is in the hub's own database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stellars_activity.schema import HISTORY as ACTIVITY
from stellars_auth.schema import HISTORY as AUTH
from stellars_core.migrations import SchemaHistory, upgrade
from stellars_docker.schema import HISTORY as DOCKER
from stellars_ui.schema import HISTORY as UI

__all__ = ["ACTIVITY", "AUTH", "DOCKER", "UI", "platform_histories", "upgrade_platform"]

if TYPE_CHECKING:
    from stellars_hub.settings import HubSettings


def platform_histories(settings: HubSettings) -> dict[str, tuple[SchemaHistory, ...]]:
    """Return the histories each database of *settings* holds, by database URL."""
    databases: dict[str, tuple[SchemaHistory, ...]] = {settings.db_url: (AUTH, DOCKER, UI)}
    activity_url = settings.activitymon_db_url or settings.db_url
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
