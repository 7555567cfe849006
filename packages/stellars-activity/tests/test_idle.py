import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from stellars_activity import (
    CullerDisabledError,
    IdlePolicy,
    IdleSessions,
    InvalidHoursError,
    NothingOnOfferError,
    RunningServer,
    ServerNotRunningError,
)
from stellars_activity.culler import username_of

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
POLICY = IdlePolicy(timeout=2 * H, max_extension=3 * H)


def server(started=NOW - H, last_activity=NOW - H):
    return RunningServer("ada", started=started, last_activity=last_activity)


def test_an_extension_is_kept_and_belongs_to_its_server(engine):
    sessions = IdleSessions(engine, POLICY, enabled=True, clock=lambda: NOW)
    outcome, info = asyncio.run(sessions.extend(server(), 2))
    assert outcome.deadline == NOW + 3 * H  # one hour left, plus two
    assert (info.remaining, info.hours_used, info.hours_on_offer) == (3 * H, 2, 2)
    # Read back from the database.
    again = asyncio.run(sessions.info(server()))
    assert (again.remaining, again.hours_used) == (3 * H, 2)
    assert asyncio.run(sessions.remaining([server()])) == {"ada": 3 * H}
    # A new server (another start) starts without the extension.
    fresh = asyncio.run(sessions.info(server(started=NOW, last_activity=NOW)))
    assert (fresh.remaining, fresh.hours_used) == (2 * H, 0)


def test_what_cannot_be_extended(engine):
    disabled = IdleSessions(engine, POLICY, enabled=False, clock=lambda: NOW)
    with pytest.raises(CullerDisabledError):
        asyncio.run(disabled.extend(server(), 1))
    assert asyncio.run(disabled.remaining([server()])) == {}
    sessions = IdleSessions(engine, POLICY, enabled=True, clock=lambda: NOW)
    with pytest.raises(ServerNotRunningError):
        asyncio.run(sessions.extend(None, 1))
    asyncio.run(sessions.extend(server(), 10))  # truncated to the ceiling
    with pytest.raises(NothingOnOfferError):
        asyncio.run(sessions.extend(server(), 1))
    stopped = asyncio.run(sessions.info(None))
    assert (stopped.server_running, stopped.remaining) == (False, None)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        pytest.param({"name": "", "url": "/user/ada/"}, "ada", id="default"),
        pytest.param({"name": "", "url": "/base/user/a%40b.c/"}, "a@b.c", id="escaped-name"),
        pytest.param({"name": "gpu", "url": "/user/ada/gpu/"}, None, id="named-server"),
        pytest.param({"name": "", "url": None}, None, id="no-url"),
    ],
)
def test_the_culler_reads_the_user_from_the_servers_url(model, expected):
    assert username_of(model) == expected


def test_bad_hours_are_refused_before_the_state_is_looked_at(engine):
    disabled = IdleSessions(engine, POLICY, enabled=False, clock=lambda: NOW)
    for hours in ("x", None, 0, 1.5, True):
        with pytest.raises(InvalidHoursError):
            asyncio.run(disabled.extend(None, hours))
    with pytest.raises(CullerDisabledError):
        asyncio.run(disabled.extend(None, 1))
