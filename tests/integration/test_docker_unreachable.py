"""Without a Docker engine the hub keeps serving, answers 503 for Docker work, and recovers."""

import os
import time
from pathlib import Path

import requests

from stellars_testing import wait_until

RECOVERY_TIMEOUT_S = 30


def _engine_socket() -> Path:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    assert host.startswith("unix://"), "this test reaches the engine through a unix socket"
    return Path(host.removeprefix("unix://"))


def test_the_hub_serves_without_docker_and_recovers(docker_platform, tmp_path, admin_name):
    socket = tmp_path / "docker.sock"  # nothing there yet: the engine is "down"
    hub = docker_platform(env={"DOCKER_HOST": f"unix://{socket}"})

    unavailable = hub.api("GET", f"users/{admin_name}/manage-volumes")
    assert unavailable.status_code == 503
    assert unavailable.json() == {"status": 503, "message": unavailable.json()["message"]}
    assert "Docker engine" in unavailable.json()["message"]
    assert hub.api("GET", "stellars/info").status_code == 200
    # "Measure now" says the engine is away, in the platform's JSON.
    measure = hub.api("POST", f"users/{admin_name}/volume-sizes", json={})
    assert measure.status_code == 503, measure.text
    assert "Docker engine" in measure.json()["message"]
    # Deleting an account asks the engine first: nothing is deleted without it.
    hub.create_user("kept-without-engine")
    refused = hub.api("DELETE", "users/kept-without-engine/account", json={"volumes": "delete"})
    assert refused.status_code == 503, refused.text
    assert "Docker engine" in refused.json()["message"]
    assert hub.api("GET", "users/kept-without-engine").status_code == 200
    assert hub.api("GET", "users").status_code == 200
    health = requests.get(hub.hub_url("api/stellars/health"), timeout=30)
    assert health.status_code == 503, health.text
    checks = health.json()["checks"]
    assert (checks["database"]["ok"], checks["proxy"]["ok"]) == (True, True)
    assert checks["docker"]["ok"] is False
    assert "Docker engine" in checks["docker"]["error"]

    socket.symlink_to(_engine_socket())  # the engine comes back
    deadline = time.monotonic() + RECOVERY_TIMEOUT_S
    while hub.api("GET", f"users/{admin_name}/manage-volumes").status_code != 200:
        assert time.monotonic() < deadline, hub.log_tail()
        time.sleep(1)
    # The health answer is renewed every few seconds: the engine shows up there too.
    wait_until(
        lambda: requests.get(hub.hub_url("api/stellars/health"), timeout=30).status_code == 200,
        timeout_s=15,
        what="a healthy answer with the engine back",
    )
