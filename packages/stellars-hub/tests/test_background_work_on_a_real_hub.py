"""The platform's background loops stop with a real hub, on a real Docker engine."""

from stellars_testing import wait_until
from stellars_testing.hub import stop_hub

SETTINGS = {
    "JUPYTERHUB_ADMIN": "admin",
    "JUPYTERHUB_ADMIN_PASSWORD": "background-admin-password",
    # The GPU probe has its own tests; this engine has no GPU.
    "JUPYTERHUB_GPU_ENABLED": "0",
}


def test_the_background_loops_stop_when_the_hub_stops(platform_hub, docker_run):
    assert docker_run.client.ping()
    hub = platform_hub(SETTINGS)
    created = hub.api("POST", "users/admin/tokens", json={"note": "background work"})
    created.raise_for_status()
    token = created.json()["token"]
    # The loops are running: the first activity tick is in.
    wait_until(
        lambda: hub.api("GET", "activity", token=token).json()["summary"]["sampling"]["last_tick"],
        what="the first activity tick",
        explain=hub.log_tail,
    )
    stop_hub(hub)
    assert hub.process.returncode == 0, hub.log_tail()
    log = hub.log_since_start()
    for work in ("the Docker engine's caches", "activity sampling", "the platform's metrics"):
        assert f"Stopped {work}" in log, hub.log_tail()
    # Stopped before JupyterHub's cleanup, not cancelled under it.
    assert log.index("Stopped the Docker engine's caches") < log.index("Cleaning up")
    assert "Task was destroyed but it is pending" not in log
    assert "Traceback" not in log
