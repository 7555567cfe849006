"""The health checks: run rarely, shared, bounded in time, and the endpoint on a real hub."""

import asyncio

import pytest
import requests

from stellars_ui.health import ClientRateLimit, HealthChecks


@pytest.fixture
def ui_hub(hub_factory, ui_config):
    # A hub per test, unlike the package's shared one: the endpoint counts each
    # address's requests per minute, and one test's would spend the other's.
    return hub_factory(ui_config)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_checks_run_once_per_interval_and_callers_share_a_run():
    clock = Clock()
    health = HealthChecks(cache_s=5, clock=clock)
    runs = []

    async def database():
        runs.append("database")
        await asyncio.sleep(0.05)

    async def scenario():
        probes = {"database": database}
        together = await asyncio.gather(*(health.report(probes) for _ in range(10)))
        cached = await health.report(probes)
        clock.now += 5
        renewed = await health.report(probes)
        return together, cached, renewed

    together, cached, renewed = asyncio.run(scenario())
    assert runs == ["database", "database"]  # ten callers, one run; then one after the interval
    assert all(report is together[0] for report in together)
    assert cached is together[0]
    assert renewed is not cached
    assert renewed.healthy


def test_a_failing_or_silent_part_is_reported_with_why():
    health = HealthChecks(timeout_s=0.1)

    async def fine():
        return None

    async def broken():
        raise ConnectionRefusedError("connection refused")

    async def silent():
        await asyncio.sleep(10)

    report = asyncio.run(health.report({"database": fine, "proxy": broken, "docker": silent}))
    results = {check.name: (check.ok, check.error) for check in report.checks}
    assert results == {
        "database": (True, None),
        "proxy": (False, "connection refused"),
        "docker": (False, "no answer within 0.1 s"),
    }
    assert not report.healthy
    assert max(check.elapsed_ms for check in report.checks) < 1000


def test_each_address_gets_its_share_per_minute():
    clock = Clock()
    clock.now = 120.0
    limit = ClientRateLimit(3, clock)
    assert [limit.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("10.0.0.2")
    clock.now += 30
    assert limit.retry_after_s() == 30
    assert not limit.allow("10.0.0.1")
    clock.now += 30  # the next minute
    assert limit.allow("10.0.0.1")


def test_the_endpoint_answers_anyone_without_saying_who_is_there(ui_hub):
    response = requests.get(ui_hub.hub_url("api/stellars/health"), timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["healthy"] is True
    # No Docker in this hub's configuration: the engine is not one of its parts.
    assert set(body["checks"]) == {"database", "proxy"}
    assert all(check["ok"] and check["error"] is None for check in body["checks"].values())
    assert body["age_seconds"] >= 0


def test_the_endpoint_limits_each_address(ui_hub, health_per_minute):
    url = ui_hub.hub_url("api/stellars/health")
    # Sent within a second: even split across two clock minutes, two minutes'
    # share is all that can pass, so the last ones are refused.
    answers = [requests.get(url, timeout=30) for _ in range(2 * health_per_minute + 1)]
    codes = [answer.status_code for answer in answers]
    assert codes[0] == 200
    assert codes.count(200) <= 2 * health_per_minute
    limited = answers[-1]
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["status"] == 429
