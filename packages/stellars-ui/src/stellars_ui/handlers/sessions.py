"""``/hub/api/users/{name}/session-info`` and ``/extend-session``: the idle culler's clock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stellars_activity import running_server
from stellars_auth import shown
from stellars_ui.handlers.base import StellarsAPIHandler, isoformat_utc
from stellars_ui.models.sessions import Extended, Extension, SessionInfo

if TYPE_CHECKING:
    from datetime import timedelta

    from stellars_activity import IdleSessions
    from stellars_activity import SessionInfo as SessionState


class _SessionHandler(StellarsAPIHandler):
    @property
    def idle_sessions(self) -> IdleSessions:
        """The hub's idle sessions."""
        return self.platform.idle


class SessionInfoHandler(_SessionHandler):
    """GET: where the user's server stands with the idle culler."""

    async def get(self, user_name: str) -> None:
        """Answer the culler's settings, the server's remaining time and what is on offer."""
        self.require_user_scope("read:servers", user_name)
        user = self.target_user(user_name)
        info = await self.idle_sessions.info(running_server(user))
        self.answer(SessionInfo(**session_fields(info)))


class ExtendSessionHandler(_SessionHandler):
    """POST ``{"hours": n}``: keep the server n more hours (up to what is on offer)."""

    async def post(self, user_name: str) -> None:
        """Answer the new state, the hours granted and whether the request was ``truncated``.

        400 for hours that are not a whole number from 1; 409 when the server
        is not running, no culler runs, or nothing is on offer.
        """
        self.require_user_scope("servers", user_name)
        user = self.target_user(user_name)
        hours = self.body(Extension).hours
        outcome, info = await self.idle_sessions.extend(running_server(user), hours)
        self.log.info(
            "%s extended %s's session by %d h",
            shown(self.current_user.name),
            shown(user.name),
            outcome.granted_hours,
        )
        self.answer(
            Extended(
                **session_fields(info),
                granted_hours=outcome.granted_hours,
                truncated=outcome.truncated,
                deadline=isoformat_utc(outcome.deadline),
            )
        )


def session_fields(info: SessionState) -> dict[str, Any]:
    """Return the fields of the session-info answer for *info* (see ``SessionInfo``)."""
    policy = info.policy
    return {
        "culler_enabled": info.culler_enabled,
        "server_running": info.server_running,
        "timeout_seconds": _seconds(policy.timeout),
        "max_extension_seconds": _seconds(policy.max_extension),
        "ceiling_seconds": _seconds(policy.ceiling),
        "max_age_seconds": _seconds(policy.max_age),
        "last_activity": isoformat_utc(info.last_activity),
        "remaining_seconds": None if info.remaining is None else _seconds(info.remaining),
        "hours_used": info.hours_used,
        "hours_on_offer": info.hours_on_offer,
    }


def _seconds(duration: timedelta) -> int:
    return int(duration.total_seconds())
