"""Who is warned before a cull: within the lead time, once per cull time, kept across restarts."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from stellars_activity import (
    CullWarning,
    CullWarnings,
    IdlePolicy,
    IdleSessions,
    RunningServer,
    due_warnings,
    lead_time,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)
LEAD = 30 * M


@pytest.mark.parametrize(
    ("remaining", "warned", "lead", "expected"),
    [
        pytest.param({"ada": 40 * M}, {}, LEAD, [], id="before-the-lead-time"),
        pytest.param({"ada": 30 * M}, {}, LEAD, [("ada", 30 * M)], id="at-the-lead-time"),
        pytest.param({"ada": 5 * M}, {}, LEAD, [("ada", 5 * M)], id="within-it"),
        pytest.param({"ada": timedelta(0)}, {}, LEAD, [], id="no-time-left-the-culler-acts"),
        pytest.param({"ada": 5 * M}, {}, timedelta(0), [], id="warnings-off"),
        pytest.param(
            {"ada": 5 * M}, {"ada": NOW + 5 * M}, LEAD, [], id="already-warned-of-this-cull-time"
        ),
        pytest.param(
            {"ada": 5 * M},
            {"ada": NOW + 5 * M + timedelta(milliseconds=300)},
            LEAD,
            [],
            id="the-same-cull-time-read-a-moment-apart",
        ),
        pytest.param(
            {"ada": 20 * M}, {"ada": NOW + 5 * M}, LEAD, [("ada", 20 * M)], id="active-again"
        ),
        pytest.param(
            {"ada": 10 * M},
            {"ada": NOW - 50 * M},
            LEAD,
            [("ada", 10 * M)],
            id="warned-of-an-earlier-cull-time",
        ),
        pytest.param(
            {"bob": 3 * M, "ada": 4 * M, "cy": 2 * timedelta(hours=1)},
            {"bob": NOW + 3 * M},
            LEAD,
            [("ada", 4 * M)],
            id="each-user-on-their-own",
        ),
    ],
)
def test_who_is_due_a_warning(remaining, warned, lead, expected):
    due = due_warnings(remaining, warned, lead=lead, now=NOW)
    assert due == [CullWarning(name, NOW + left, left) for name, left in expected]


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


def warnings_of(engine, clock, *, enabled=True, lead=LEAD):
    """A hub's view: its idle sessions (base timeout one hour) and its warnings, on *clock*."""
    sessions = IdleSessions(
        engine, IdlePolicy(timeout=60 * M, max_extension=2 * 60 * M), enabled=enabled, clock=clock
    )
    return CullWarnings(sessions, lead, clock=clock)


def last_active(at, name="ada"):
    """A server started two hours before NOW, last active at *at*."""
    return RunningServer(name, started=NOW - 2 * 60 * M, last_activity=at)


def test_one_warning_per_cull_time_even_across_a_hub_restart(engine):
    clock = Clock()
    hub = warnings_of(engine, clock)
    server = last_active(NOW - 20 * M)
    assert asyncio.run(hub.due([server])) == []  # 40 minutes left

    clock.now += 15 * M  # 25 minutes left: due
    due = asyncio.run(hub.due([server]))
    assert due == [CullWarning("ada", NOW + 40 * M, 25 * M)]
    asyncio.run(hub.record(due))
    clock.now += M
    assert asyncio.run(hub.due([server])) == []

    # A new hub on the same database: nothing to repeat.
    restarted = warnings_of(engine, clock)
    assert asyncio.run(restarted.warned()) == {"ada": NOW + 40 * M}
    assert asyncio.run(restarted.due([server])) == []

    # Active again, then idle into the lead time: a new cull time, a new warning.
    again = last_active(NOW + 10 * M)
    assert asyncio.run(restarted.due([again])) == []  # 54 minutes left
    clock.now = NOW + 45 * M
    due = asyncio.run(restarted.due([again]))
    assert due == [CullWarning("ada", NOW + 70 * M, 25 * M)]


def test_an_extension_moves_the_cull_time_and_warns_again_once_it_nears(engine):
    clock = Clock()
    hub = warnings_of(engine, clock)
    server = last_active(NOW - 50 * M)
    asyncio.run(hub.record(asyncio.run(hub.due([server]))))  # 10 minutes left: warned
    asyncio.run(hub.sessions.extend(server, 1))  # an hour more: 70 minutes
    assert asyncio.run(hub.due([server])) == []
    clock.now += 45 * M
    due = asyncio.run(hub.due([server]))
    assert due == [CullWarning("ada", NOW + 70 * M, 25 * M)]


def test_a_stopped_server_is_forgotten(engine):
    hub = warnings_of(engine, Clock())
    ada, bob = last_active(NOW - 50 * M), last_active(NOW - 45 * M, "bob")
    asyncio.run(hub.record(asyncio.run(hub.due([ada, bob]))))
    assert set(asyncio.run(hub.warned())) == {"ada", "bob"}
    asyncio.run(hub.due([ada]))  # bob's server stopped
    assert set(asyncio.run(hub.warned())) == {"ada"}


@pytest.mark.parametrize(
    ("enabled", "lead"),
    [pytest.param(False, LEAD, id="culler-off"), pytest.param(True, timedelta(0), id="lead-zero")],
)
def test_nobody_is_warned_without_a_culler_or_a_lead_time(engine, enabled, lead):
    hub = warnings_of(engine, Clock(), enabled=enabled, lead=lead)
    assert hub.enabled is False
    assert asyncio.run(hub.due([last_active(NOW - 50 * M)])) == []


@pytest.mark.parametrize(
    ("timeout", "wanted", "in_force"),
    [
        pytest.param(24 * 60 * M, LEAD, LEAD, id="a-day-warns-as-asked"),
        pytest.param(60 * M, LEAD, LEAD, id="exactly-half"),
        pytest.param(20 * M, LEAD, 10 * M, id="a-short-timeout-warns-halfway"),
        pytest.param(20 * M, timedelta(0), timedelta(0), id="off-stays-off"),
    ],
)
def test_the_lead_time_is_at_most_half_the_timeout(timeout, wanted, in_force):
    assert lead_time(IdlePolicy(timeout=timeout), wanted) == in_force


def test_a_working_user_under_a_short_timeout_is_not_warned(engine):
    # Twenty minutes' timeout, the default half-hour lead: a report of
    # activity five minutes ago leaves fifteen, more than the ten in force.
    clock = Clock()
    sessions = IdleSessions(engine, IdlePolicy(timeout=20 * M), enabled=True, clock=clock)
    hub = CullWarnings(sessions, LEAD, clock=clock)
    assert hub.lead == 10 * M
    assert asyncio.run(hub.due([last_active(NOW - 5 * M)])) == []
    assert [w.remaining for w in asyncio.run(hub.due([last_active(NOW - 11 * M)]))] == [9 * M]
