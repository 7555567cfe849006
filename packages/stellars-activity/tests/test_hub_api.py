import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from stellars_activity import ActivitySettings, ActivityStore, HubApiError, HubApiSampler
from stellars_activity.hub_api import REQUIRED_SCOPES
from stellars_activity.schema import HISTORY
from stellars_testing.schema import migrate

PAGE = 5
USERS = [f"sampled-{number:02d}" for number in range(12)]
# Services with a role each: the sampler's own scopes, and each of them alone.
SERVICES = {
    "sampler": list(REQUIRED_SCOPES),
    "sampler-no-servers": ["list:users"],
    "sampler-no-list": ["read:servers"],
}
TOKENS = {name: f"{name}-token-0123456789abcdef" for name in SERVICES}
HUB_CONFIG = f"""
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.JupyterHub.api_page_default_limit = {PAGE}
c.JupyterHub.api_page_max_limit = {PAGE}
c.JupyterHub.services = [
    {{"name": name, "api_token": token}} for name, token in {TOKENS!r}.items()
]
c.JupyterHub.load_roles = [
    {{"name": f"{{name}}-role", "scopes": scopes, "services": [name]}}
    for name, scopes in {SERVICES!r}.items()
]
"""
SETTINGS = ActivitySettings()


@pytest.fixture(scope="module")
def hub(module_hub_factory):
    hub = module_hub_factory(HUB_CONFIG)
    hub.api("POST", "users", json={"usernames": USERS}).raise_for_status()
    return hub


@pytest.fixture
def store(tmp_path):
    store = ActivityStore(f"sqlite:///{tmp_path / 'activity.sqlite'}", SETTINGS)
    migrate(store.engine, HISTORY)
    yield store
    store.engine.dispose()


def test_one_tick_samples_every_user_across_pages(hub, store):
    token = TOKENS["sampler"]
    sampler = HubApiSampler(store, SETTINGS, api_url=hub.hub_url("api"), token=token)
    everyone = set(USERS)
    assert len(everyone) > 2 * PAGE  # three pages at least

    assert {model["name"] for model in sampler.users()} == everyone
    now = datetime.now(UTC)
    assert sampler.tick(now) == len(everyone)
    assert sampler.tick(now + timedelta(seconds=1)) == 0  # the same aligned tick
    scores = store.scores(now + timedelta(minutes=10))
    assert set(scores) == everyone
    assert all(score.samples == 1 and score.score == 0.0 for score in scores.values())


def test_a_token_without_read_servers_is_refused(hub, store):
    token = TOKENS["sampler-no-servers"]
    sampler = HubApiSampler(store, SETTINGS, api_url=hub.hub_url("api"), token=token)
    with pytest.raises(HubApiError, match="read:servers"):
        sampler.tick()
    assert store.scores(datetime.now(UTC)) == {}


def test_a_token_without_list_users_is_refused(hub, store):
    token = TOKENS["sampler-no-list"]
    sampler = HubApiSampler(store, SETTINGS, api_url=hub.hub_url("api"), token=token)
    with pytest.raises(HubApiError, match="403"):
        sampler.tick()


def test_the_service_entry_point_samples_from_its_environment(hub, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'service.sqlite'}"
    environ = {
        **os.environ,
        "JUPYTERHUB_API_URL": hub.hub_url("api"),
        "JUPYTERHUB_API_TOKEN": TOKENS["sampler"],
        "STELLARS_ACTIVITY_DB_URL": db_url,
        "STELLARS_ACTIVITY_INTERVAL_S": "60",
        "STELLARS_ACTIVITY_INACTIVE_AFTER_MIN": "30",
    }
    service = subprocess.Popen(
        [sys.executable, "-m", "stellars_activity.service"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    store = ActivityStore(db_url, SETTINGS)
    try:
        deadline = time.monotonic() + 30
        scores = {}
        while time.monotonic() < deadline and len(scores) < len(USERS):
            time.sleep(0.3)
            if (tmp_path / "service.sqlite").exists():
                try:
                    scores = store.scores(datetime.now(UTC) + timedelta(minutes=1))
                except Exception:  # noqa: BLE001 - tables not created yet
                    scores = {}
        assert set(scores) == set(USERS)
    finally:
        service.terminate()
        output, _ = service.communicate(timeout=30)
        store.engine.dispose()
    assert service.returncode == 0, output.decode()
    # SIGTERM ends the ticks on the service's loop, not the process under them.
    assert "activity ticks stopped" in output.decode()
    assert "Traceback" not in output.decode()


def test_the_service_refuses_a_missing_setting():
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "STELLARS_"))
    }
    done = subprocess.run(
        [sys.executable, "-m", "stellars_activity.service"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "JUPYTERHUB_API_URL" in done.stderr
