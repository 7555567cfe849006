"""``GET /hub/api/users/{name}/server-stats``: what the user's container uses now."""

from __future__ import annotations

from stellars_ui.handlers.base import StellarsAPIHandler, isoformat_utc
from stellars_ui.models.server import ServerStats


class ServerStatsHandler(StellarsAPIHandler):
    """GET: the last CPU and memory sample of the user's container (no engine call)."""

    def get(self, user_name: str) -> None:
        """Answer the runtime's last sample; every field null before one (or without Docker)."""
        self.require_user_scope("read:servers", user_name)
        user = self.target_user(user_name)
        runtime = self.platform.docker  # None with the local spawner: nothing sampled
        stats = runtime.usage([user.name])[user.name].stats if runtime else None
        if stats is None:
            self.answer(
                ServerStats(
                    cpu_percent=None,
                    memory_bytes=None,
                    memory_limit_bytes=None,
                    sampled_at=None,
                    containers=runtime is not None,
                )
            )
            return
        self.answer(
            ServerStats(
                cpu_percent=max(0.0, stats.cpu_percent),
                memory_bytes=stats.memory_bytes,
                memory_limit_bytes=stats.memory_limit_bytes,
                sampled_at=isoformat_utc(stats.sampled_at),
                containers=True,
            )
        )
