"""Warn a user inside their running JupyterLab that the idle culler will stop their server soon.

A notice (:mod:`stellars_ui.broadcasts.notice`) saying when (the time in UTC,
and how long from now) with an action that opens the home page's session
card, where the session is extended: a link, because following a link (a
GET) must never change state. Who is due a warning, once per cull time, is
the domain's (:class:`stellars_activity.CullWarnings`); a user whose lab did
not take it is warned at a later check.

ORM access: on the event loop thread, with the hub's own session.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from stellars_activity import CullWarning, RunningServer
from stellars_ui.broadcasts.notice import notice_payload, notify_servers
from stellars_ui.broadcasts.recipients import running_servers

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from stellars_activity import CullWarnings
    from stellars_ui.settings import BroadcastSettings

# JupyterLab's own command that opens a URL (the Help menu's links); with
# newBrowserTab it opens the page in a tab of its own, leaving the lab as it is.
OPEN_URL_COMMAND = "help:open"
# What the notice carries in its data, for anyone reading it programmatically.
NOTICE_KIND = "cull-warning"
_MINUTE = timedelta(minutes=1)


def in_words(remaining: timedelta) -> str:
    """Return *remaining* as a person says it: "in 25 minutes", "in 1 hour 5 minutes"."""
    if remaining < _MINUTE:
        return "in less than a minute"
    minutes = int(remaining / _MINUTE)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return "in " + " ".join(parts)


def cull_message(warning: CullWarning) -> str:
    """Return what a user is told before their server is stopped for being idle."""
    at = warning.cull_at.astimezone(UTC).strftime("%H:%M UTC")
    return (
        f"Your server has been idle and will be stopped at {at} "
        f"({in_words(warning.remaining)}). Save your work, or extend your session "
        "on the home page."
    )


def cull_payload(warning: CullWarning, home_url: str) -> dict[str, Any]:
    """Return the notice for *warning*, its action opening *home_url* (the session card)."""
    return notice_payload(
        cull_message(warning),
        "warning",
        actions=[
            {
                "label": "Extend my session",
                "caption": "Open the home page, where the session is extended",
                "displayType": "accent",
                "commandId": OPEN_URL_COMMAND,
                "args": {"url": home_url, "text": "Home", "newBrowserTab": True},
            }
        ],
        data={
            "kind": NOTICE_KIND,
            "cull_at": warning.cull_at.astimezone(UTC).isoformat(),
            "url": home_url,
        },
    )


async def warn_before_culls(
    db: Session,
    users: Any,
    warnings: CullWarnings,
    options: BroadcastSettings,
    *,
    home_url: str,
) -> list[CullWarning]:
    """Warn each user due a warning in their running lab; record and return those warned.

    *users* is the hub's user dictionary; *home_url* the home page's session
    card, as a path on the hub's public origin (the lab's own origin).
    Only default servers count: the idle rule is theirs.
    """
    servers = {}
    facts = []
    for server in running_servers(db, users):
        if server.server_name or server.started is None:
            continue
        servers[server.username] = server
        facts.append(RunningServer(server.username, server.started, server.last_activity))
    due = await warnings.due(facts)
    warned = []
    for warning in due:
        payload = cull_payload(warning, home_url)
        if await notify_servers(db, [servers[warning.username]], payload, options):
            warned.append(warning)
    await warnings.record(warned)
    return warned
