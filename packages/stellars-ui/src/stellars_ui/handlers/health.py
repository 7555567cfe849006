"""``GET /hub/api/stellars/health``: whether the database, the proxy and the Docker engine answer.

Unauthenticated, for load balancers and monitoring: it says which parts
answer and how fast, never anything about users. JupyterHub owns
``/hub/health`` and ``/hub/api/health`` (its routes match first), hence the
platform's own prefix.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

import sqlalchemy as sa

from stellars_ui.handlers.base import StellarsAPIHandler
from stellars_ui.models.common import Error
from stellars_ui.models.platform import Health, HealthCheck

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable


class HealthHandler(StellarsAPIHandler):
    """GET: 200 when every part answers, 503 when one does not; 429 past the rate limit."""

    async def get(self) -> None:
        """Answer ``{"healthy", "checks": {name: {ok, elapsed_ms, error}}, "age_seconds"}``."""
        health = self.platform.health
        if not health.limit.allow(self.request.remote_ip or ""):
            # Answered here rather than raised: sending an error clears the
            # headers, and Retry-After is the point of this answer.
            self.set_status(HTTPStatus.TOO_MANY_REQUESTS)
            self.set_header("Retry-After", str(health.limit.retry_after_s()))
            self.answer(
                Error(
                    status=HTTPStatus.TOO_MANY_REQUESTS,
                    message="Too many health checks from this address.",
                )
            )
            return
        report = await health.report(self._probes())
        self.set_header("Cache-Control", "no-store")
        self.set_status(HTTPStatus.OK if report.healthy else HTTPStatus.SERVICE_UNAVAILABLE)
        self.answer(
            Health(
                healthy=report.healthy,
                checks={
                    check.name: HealthCheck(
                        ok=check.ok, elapsed_ms=round(check.elapsed_ms, 1), error=check.error
                    )
                    for check in report.checks
                },
                # The checks run at most every few seconds; this says how old these are.
                age_seconds=round(health.age_s(report), 1),
            )
        )

    def _probes(self) -> dict[str, Callable[[], Awaitable[object]]]:
        probes: dict[str, Callable[[], Awaitable[object]]] = {
            "database": self._database,
            "proxy": self.proxy.get_all_routes,
        }
        runtime = self.platform.docker
        if runtime is not None:  # servers are containers: the engine must answer too
            probes["docker"] = runtime.ping
        return probes

    async def _database(self) -> None:
        # The hub's own session, on the loop thread, like every ORM call of the hub's.
        self.db.execute(sa.text("SELECT 1"))
