"""The platform's own Prometheus metrics, served with JupyterHub's at ``/hub/metrics``.

JupyterHub serves prometheus_client's default registry; the metrics here
are registered there once, at import, as JupyterHub's own are (a registry
is process-wide by design). What they count is fed by:

- the broadcast handler: broadcasts and each delivery's outcome;
- :func:`counting_culls`: the servers the idle-culler service stopped,
  seen as its finished ``DELETE .../server`` requests;
- :class:`MetricsRefresher`: users per activity level and the volumes'
  bytes, read in the background so that a scrape never waits on a
  database or the Docker engine.
"""

from __future__ import annotations

import re
from collections import Counter as Tally
from typing import TYPE_CHECKING, Any

from jupyterhub import orm
from jupyterhub.log import log_request
from prometheus_client import Counter, Gauge

from stellars_activity import ActivityLevel
from stellars_core.scheduler import Every
from stellars_ui.broadcasts.delivery import FAILURE_REASONS

if TYPE_CHECKING:
    from collections.abc import Callable

    from stellars_activity import ActivityMonitor
    from stellars_docker import DockerRuntime

# The outcome label of a server that took the notification.
DELIVERED = "delivered"

BROADCASTS = Counter("stellars_broadcasts", "Broadcast notifications sent.")
BROADCAST_DELIVERIES = Counter(
    "stellars_broadcast_deliveries",
    "Servers a broadcast was for, by outcome: delivered, or why not.",
    ["outcome"],
)
IDLE_CULLS = Counter("stellars_idle_culls", "Servers the idle culler stopped.")
ACTIVITY_USERS = Gauge(
    "stellars_activity_users",
    "Users by activity level (no_data: no sample in the retention window).",
    ["level"],
)
VOLUME_BYTES = Gauge("stellars_volume_bytes", "Bytes in the platform's volumes, as last measured.")
VOLUMES_MEASURED = Gauge("stellars_volumes_measured", "Volumes whose size is known.")

# Outcomes other than these (a lab's unusual HTTP status) are counted together,
# so that a label never takes an unbounded number of values.
_OUTCOMES = {DELIVERED, *FAILURE_REASONS}
NO_DATA = "no_data"
_SERVER_STOP = re.compile(r"/api/users/[^/]+/servers?(/[^/]*)?$")


def count_broadcast(reasons: list[str | None]) -> None:
    """Count one broadcast and its deliveries (a reason of None: delivered)."""
    BROADCASTS.inc()
    for reason in reasons:
        outcome = reason or DELIVERED
        BROADCAST_DELIVERIES.labels(outcome if outcome in _OUTCOMES else "other answer").inc()


def counting_culls(culler: str) -> Callable[[Any], None]:
    """Return a request log function that also counts the servers service *culler* stopped.

    JupyterHub logs every finished request through ``log_function`` (its
    own ``log_request`` is still called); a stop is the culler's when its
    token made a successful ``DELETE`` of a server.
    """

    def log_and_count(handler: Any) -> None:
        log_request(handler)
        request = handler.request
        if request.method != "DELETE" or handler.get_status() not in {202, 204}:
            return
        if not _SERVER_STOP.search(request.path):
            return
        # A service's token makes JupyterHub's current user the orm.Service itself.
        caller = handler.current_user
        if isinstance(caller, orm.Service) and caller.name == culler:
            IDLE_CULLS.inc()

    return log_and_count


class MetricsRefresher:
    """Refreshes the gauges that need a database or engine read, every *interval_s*."""

    def __init__(
        self,
        monitor: ActivityMonitor,
        runtime: DockerRuntime | None,
        interval_s: float,
    ) -> None:
        self.monitor = monitor
        self.runtime = runtime
        self.interval_s = interval_s
        self._every: Every | None = None

    def start(self, db: Any) -> None:
        """Refresh now and then every interval, on the running loop; *db* is the hub's session.

        A failed refresh keeps the last values and is logged; the next one retries.

        Raises:
            RuntimeError: no event loop is running, or this was already started.
        """
        if self._every is not None:
            raise RuntimeError("the platform's metrics are already refreshed")
        every = Every("platform metrics", self.interval_s, lambda _moment: self.refresh(db))
        every.start()
        self._every = every

    async def stop(self) -> None:
        """Stop refreshing (a refresh under way is cancelled); never raises."""
        if self._every is not None:
            await self._every.stop()

    async def refresh(self, db: Any) -> None:
        """Set the gauges from the activity store and the volumes' last sizes."""
        # The user list on the loop thread (the hub's ORM); the scores in a thread.
        usernames = [name for (name,) in db.query(orm.User.name)]
        # The scores alone: the daily history of every user is not a gauge, and
        # reading it held the interpreter long enough to delay the hub's answers.
        scores = await self.monitor.scores(usernames)
        levels = Tally(
            NO_DATA if score.level is None else score.level.name.lower()
            for score in scores.values()
        )
        for level in [*(level.name.lower() for level in ActivityLevel), NO_DATA]:
            ACTIVITY_USERS.labels(level).set(levels.get(level, 0))
        if self.runtime is not None:
            sizes = [size for size in self.runtime.volume_sizes().values() if size is not None]
            VOLUME_BYTES.set(sum(sizes))
            VOLUMES_MEASURED.set(len(sizes))
