"""The warning before a cull on a real hub with real single-user servers: once per cull time,
across a hub restart, and again only when the cull time moves.

The culler's base timeout is 120 s and the lead time 60 s (the most it can
be: half the timeout). Rather than wait a minute for the server to be idle
that long, the test stops the hub, moves the server's last activity back in
the hub's database, as an operator's restart during a quiet spell would,
and starts the hub again: it warns at once. The hub is then restarted a
second time within the 60 s before the cull (with 45 s, a restart on a busy
CI machine left the server culled under the test). The hub's database is
SQLite: the record on PostgreSQL is the store's, tested on both in
packages/stellars-activity/tests/test_cull_warnings.py; here it is the hub
reading it again after a restart, whatever the database. Then the session is
extended, and its new deadline brought to just beyond the lead time, as the
hour passing would. Checks run every two seconds. The lab is the
local-process server with the notifications extension the lab image
carries; the warnings sent are read from it, as JupyterLab's page reads them.
"""

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from accounts import local_platform
from lab_notifications import read_notifications
from sqlalchemy import create_engine, select, update

from stellars_activity.model import SessionExtension
from stellars_testing import wait_until
from stellars_testing.hub import stop_hub

ADMIN = "cull-warning-admin"
PASSWORD = "cull-warning-admin-password"
TIMEOUT_S = 120
LEAD_S = 60
SETTINGS = {
    **local_platform(ADMIN, PASSWORD),
    "JUPYTERHUB_IDLE_CULLER_ENABLED": "1",
    "JUPYTERHUB_IDLE_CULLER_TIMEOUT": str(TIMEOUT_S),
    "JUPYTERHUB_IDLE_CULLER_INTERVAL": "2",
    "JUPYTERHUB_IDLE_CULLER_WARNING": str(LEAD_S),
}
# The server outlives the hub, as a lab container does when an operator restarts it.
KEEP_SERVERS = "c.JupyterHub.cleanup_servers = False\n"


class Lab:
    """Everything a user's lab has been sent, read as JupyterLab's page reads it (a drain)."""

    def __init__(self, username, token):
        self.username = username
        self.token = token
        self.received = []

    def read(self, hub):
        self.received.extend(read_notifications(hub, self.username, self.token))
        return self.received


def _quiet_for(hub, lab, seconds):
    """Read the lab for *seconds* (several checks of the hub); return what it got."""
    end = datetime.now(UTC) + timedelta(seconds=seconds)
    while datetime.now(UTC) < end:
        lab.read(hub)
        time.sleep(0.5)
    return lab.received


def test_one_warning_per_cull_time_across_a_hub_restart(platform_hub, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    hub = platform_hub(SETTINGS, KEEP_SERVERS, db_url=db_url)
    username = "idle-ada"
    lab = Lab(username, hub.create_user(username))
    hub.api("POST", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=True)

    port = urlsplit(hub.direct_url).port
    hubs = [hub]
    try:
        # The server has been idle for all but 58 s of its timeout while the hub was down.
        stop_hub(hub)
        _idle_since(db_url, username, datetime.now(UTC) - timedelta(seconds=TIMEOUT_S - LEAD_S + 2))
        hub = hubs[0] = platform_hub(SETTINGS, KEEP_SERVERS, db_url=db_url, hub_port=port)
        # Had the lab reported activity after all, the warning would come a minute later.
        wait_until(lambda: lab.read(hub), timeout_s=LEAD_S + 30, interval_s=1, what="the warning")
        (first,) = lab.received
        assert first["type"] == "warning"
        assert first["autoClose"] is False
        assert "has been idle and will be stopped at" in first["message"]
        assert first["data"]["kind"] == "cull-warning"
        home = "/stellars-test/hub/home#stellars-session"
        assert first["data"]["url"] == home
        (action,) = first["actions"]
        assert (action["commandId"], action["args"]["url"]) == ("help:open", home)
        cull_at = datetime.fromisoformat(first["data"]["cull_at"])
        assert timedelta(0) < cull_at - datetime.now(UTC) <= timedelta(seconds=LEAD_S)

        # The operator restarts the hub; the server runs on and is found again.
        stop_hub(hub)
        hub = hubs[0] = platform_hub(SETTINGS, KEEP_SERVERS, db_url=db_url, hub_port=port)
        hub.wait_for_server(username, running=True)
        assert _quiet_for(hub, lab, 8) == [first], "warned again of the same cull time"

        # The user extends the session before the cull; once the extension
        # too runs down into the lead time, they are warned of its end.
        extended = hub.api("POST", f"users/{username}/extend-session", json={"hours": 1})
        assert extended.status_code == 200, extended.text
        assert _quiet_for(hub, lab, 3) == [first]
        _bring_deadline(db_url, username, LEAD_S + 3)
        wait_until(
            lambda: len(lab.read(hub)) == 2, timeout_s=30, interval_s=1, what="a new warning"
        )
        assert len(_quiet_for(hub, lab, 6)) == 2, "warned twice of the new cull time"
        second = lab.received[1]
        assert datetime.fromisoformat(second["data"]["cull_at"]) > cull_at
    finally:
        # The servers outlive their hub: stop this one whatever happened.
        hubs[0].api("DELETE", f"users/{username}/server")
        hubs[0].wait_for_server(username, running=False)


def _bring_deadline(db_url, username, seconds):
    """Set *username*'s extension to end *seconds* from now, as time passing would."""
    _execute(
        db_url,
        update(SessionExtension)
        .where(SessionExtension.username == username)
        .values(deadline=datetime.now(UTC) + timedelta(seconds=seconds)),
    )


def _idle_since(db_url, username, when):
    """Record in a stopped hub's database that *username*'s server was last active at *when*."""
    from jupyterhub import orm  # noqa: PLC0415 - the hub's own tables

    user_id = select(orm.User.id).where(orm.User.name == username).scalar_subquery()
    changed = _execute(
        db_url,
        update(orm.Spawner)
        .where(orm.Spawner.user_id == user_id, orm.Spawner.name == "")
        # JupyterHub keeps naive UTC times.
        .values(last_activity=when.astimezone(UTC).replace(tzinfo=None)),
    )
    assert changed == 1


def _execute(db_url, statement):
    """Run one writing *statement* on the hub's database; return the rows it changed."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            return connection.execute(statement).rowcount
    finally:
        engine.dispose()
