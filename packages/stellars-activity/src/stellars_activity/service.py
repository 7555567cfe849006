"""``python -m stellars_activity.service``: the sampler as a JupyterHub managed service.

The only place of the package that reads the environment. JupyterHub gives a
managed service ``JUPYTERHUB_API_TOKEN`` and ``JUPYTERHUB_API_URL``; the
service's ``environment`` adds:

- ``STELLARS_ACTIVITY_DB_URL`` (required): the store's SQLAlchemy URL.
- ``STELLARS_ACTIVITY_INTERVAL_S`` (default 600): seconds between ticks.
- ``STELLARS_ACTIVITY_INACTIVE_AFTER_MIN`` (default 60): a server idle longer
  is inactive.
- ``STELLARS_ACTIVITY_HALF_LIFE_HOURS`` (default 72): must equal the hub's,
  or the store rebuilds its totals on every call.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import make_url

from stellars_activity.hub_api import REQUIRED_SCOPES, HubApiSampler
from stellars_activity.schema import HISTORY
from stellars_activity.settings import ActivitySettings
from stellars_activity.store import ActivityStore
from stellars_activity.ticks import activity_ticks
from stellars_core.migrations import upgrade

if TYPE_CHECKING:
    from collections.abc import Mapping

log = logging.getLogger("stellars_activity.service")

_DEFAULT_INTERVAL_S = 600.0


@dataclass(frozen=True)
class ServiceConfig:
    """What the service needs, parsed from an environment mapping."""

    api_url: str
    token: str
    db_url: str
    settings: ActivitySettings

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ServiceConfig:
        """Parse *environ* (the process environment, passed in).

        Raises:
            ValueError: a required variable is missing or a value is not a positive number.
        """
        missing = [
            name
            for name in ("JUPYTERHUB_API_URL", "JUPYTERHUB_API_TOKEN", "STELLARS_ACTIVITY_DB_URL")
            if not environ.get(name)
        ]
        if missing:
            raise ValueError(f"missing environment variables: {', '.join(missing)}")
        defaults = ActivitySettings()
        settings = ActivitySettings(
            sample_interval_minutes=_number(
                environ, "STELLARS_ACTIVITY_INTERVAL_S", _DEFAULT_INTERVAL_S
            )
            / 60.0,
            inactive_after_minutes=_number(
                environ, "STELLARS_ACTIVITY_INACTIVE_AFTER_MIN", defaults.inactive_after_minutes
            ),
            half_life_hours=_number(
                environ, "STELLARS_ACTIVITY_HALF_LIFE_HOURS", defaults.half_life_hours
            ),
        )
        return cls(
            api_url=environ["JUPYTERHUB_API_URL"],
            token=environ["JUPYTERHUB_API_TOKEN"],
            db_url=environ["STELLARS_ACTIVITY_DB_URL"],
            settings=settings,
        )


def managed_service(
    name: str, db_url: str, settings: ActivitySettings, *, python: str = sys.executable
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the JupyterHub service and role that run this module as the sampler.

    The service gets its settings in its ``environment`` (JupyterHub starts
    services with a restricted one); the role grants its token only
    :data:`~stellars_activity.hub_api.REQUIRED_SCOPES`. A relative SQLite
    path in *db_url* is made absolute (from this process's working
    directory, the hub's), so the service opens the hub's file wherever it runs.
    """
    db_url = _absolute_sqlite(db_url)
    service = {
        "name": name,
        "command": [python, "-m", "stellars_activity.service"],
        "environment": {
            "STELLARS_ACTIVITY_DB_URL": db_url,
            "STELLARS_ACTIVITY_INTERVAL_S": repr(settings.sample_interval_minutes * 60.0),
            "STELLARS_ACTIVITY_INACTIVE_AFTER_MIN": repr(settings.inactive_after_minutes),
            "STELLARS_ACTIVITY_HALF_LIFE_HOURS": repr(settings.half_life_hours),
        },
    }
    role = {
        "name": name,
        "description": "The activity sampler: list users and read their servers' state.",
        "scopes": list(REQUIRED_SCOPES),
        "services": [name],
    }
    return service, role


def _absolute_sqlite(db_url: str) -> str:
    url = make_url(db_url)
    path = url.database
    if (
        url.get_backend_name() != "sqlite"
        or not path
        or path == ":memory:"
        or Path(path).is_absolute()
    ):
        return db_url
    return url.set(database=str(Path(path).resolve())).render_as_string(hide_password=False)


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {raw!r}")
    return value


async def run(config: ServiceConfig, stopping: asyncio.Event) -> None:
    """Bring the store's tables to their newest revision, then tick until *stopping* is set.

    The ticks are the in-hub sampler's (:func:`~stellars_activity.ticks.activity_ticks`),
    fed from the hub's REST API; a tick under way when *stopping* is set is cancelled.

    Raises:
        MigrationError: the tables could not be upgraded (a no-op when the hub
            upgraded them before starting the service, as it does).
    """
    # The service may run beside a hub that is not configured by stellars_hub.
    await asyncio.to_thread(upgrade, config.db_url, [HISTORY])
    store = ActivityStore(config.db_url, config.settings)
    try:
        sampler = HubApiSampler(store, config.settings, api_url=config.api_url, token=config.token)
        ticks = activity_ticks(store, sampler.collect_in_thread, sampler.interval)
        ticks.start()
        try:
            await stopping.wait()
        finally:
            await ticks.stop()
    finally:
        store.engine.dispose()


async def _serve(config: ServiceConfig) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    await run(config, stopping)
    log.info("stopped")


def main() -> int:
    """Run from the process environment until SIGTERM or SIGINT; return the exit code."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        config = ServiceConfig.from_environ(os.environ)
    except ValueError as error:
        log.error("%s", error)  # noqa: TRY400 - a configuration error needs no traceback
        return 2
    asyncio.run(_serve(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
