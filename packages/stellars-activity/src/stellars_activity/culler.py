"""The idle culler: jupyterhub-idle-culler as a hub-managed service, deciding by the hub's rule.

The culler lists servers and asks its ``cull_arbiter_hook`` whether to stop
each one. Ours asks the hub: ``GET /hub/api/users/{name}/session-info``
answers the server's remaining time under the one rule (base timeout,
extension deadline, ceiling), so the culler, the API and the pages can never
disagree. The maximum age is the culler's own ``--max-age``, applied whatever
the arbiter says. The culler never deletes users.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from tornado.httpclient import AsyncHTTPClient

if TYPE_CHECKING:
    from datetime import timedelta

    from stellars_activity.sessions import IdlePolicy

log = logging.getLogger(__name__)

# What the culler's token needs: list users and their servers' activity, read
# session-info, stop servers. Never admin:users (it does not delete users).
CULLER_SCOPES = ("list:users", "read:users:activity", "read:servers", "delete:servers")
CONFIG_FILE = str(Path(__file__).with_name("culler_config.py"))


def managed_culler(
    name: str,
    policy: IdlePolicy,
    *,
    interval_s: int,
    concurrency: int,
    python: str = sys.executable,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the JupyterHub service that runs the culler, and its role."""
    service = {
        "name": name,
        "command": [
            python,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={int(policy.timeout.total_seconds())}",
            f"--cull-every={interval_s}",
            f"--max-age={int(policy.max_age.total_seconds())}",
            f"--concurrency={concurrency}",
            f"--config={CONFIG_FILE}",
        ],
    }
    role = {
        "name": name,
        "description": "The idle culler: stop servers whose session ran out.",
        "scopes": list(CULLER_SCOPES),
        "services": [name],
    }
    return service, role


def username_of(server: dict[str, Any]) -> str | None:
    """Return the user of a default server's model (its URL ends ``/user/<name>/``)."""
    if server.get("name"):
        return None  # a named server: not ours to decide
    segments = urlsplit(str(server.get("url") or "")).path.rstrip("/").split("/")
    if len(segments) < 2 or segments[-2] != "user":  # noqa: PLR2004 - "user" and the name
        return None
    return unquote(segments[-1])


async def arbiter(
    *, inactive: timedelta, inactive_limit: int, server: dict[str, Any], **_: Any
) -> bool:
    """Return whether the culler should stop *server*: the hub's rule says no time is left.

    Falls back to the culler's classic check for a server that is not a
    default server. When the hub cannot be asked, the server is kept: a
    missed cull is better than a lost session.
    """
    username = username_of(server)
    if username is None:
        return inactive.total_seconds() >= inactive_limit
    api_url = os.environ["JUPYTERHUB_API_URL"].rstrip("/")
    response = await AsyncHTTPClient().fetch(
        f"{api_url}/users/{quote(username, safe='')}/session-info",
        headers={"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}"},
        raise_error=False,
        request_timeout=30,
    )
    if response.code != 200:  # noqa: PLR2004 - HTTP OK
        log.warning("session-info of %r answered %s: not culling", username, response.code)
        return False
    info = json.loads(response.body)
    return bool(info["server_running"]) and info["remaining_seconds"] == 0
