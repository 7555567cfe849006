"""``make demo`` as a person runs it: the hub comes up, its state is private, Ctrl-C ends it.

The real ``scripts/demo.sh`` on the real engine, with the lab image built
here; only the ports and the state folder are the test's own (so a demo a
developer left running is not in the way). Reported: the state folder
(database, cookie secret, admin password) was readable by every local user,
and Ctrl-C could not find ``scripts/stop-services.sh`` because the hub runs
from the state folder. The engine was running before this test, so the demo
must leave it running, and say so.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
from pathlib import Path

import requests

from stellars_testing import wait_until
from stellars_testing.ports import free_ports

ROOT = Path(__file__).resolve().parents[2]
# The first start may create the development environment (uv sync).
START_TIMEOUT_S = 600


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def test_the_demo_keeps_its_state_private_and_stops_on_ctrl_c(
    tmp_path, docker_run, lab_image, docker_host_ip
):
    state = tmp_path / "state"
    # What an earlier demo (before this fix) left: readable by everyone.
    state.mkdir(mode=0o755)
    state.chmod(0o755)
    leftover = state / "admin-password"
    leftover.write_text("an-earlier-demo-password\n")
    leftover.chmod(0o644)
    public, proxy_api = free_ports(["127.0.0.1", "127.0.0.1"])
    (hub_port,) = free_ports([docker_host_ip])
    public_url = f"http://127.0.0.1:{public}"
    log_path = tmp_path / "demo.log"
    with log_path.open("wb") as log:
        demo = subprocess.Popen(
            [
                "bash",
                str(ROOT / "scripts" / "demo.sh"),
                f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{proxy_api}",
                f"--JupyterHub.hub_bind_url=http://{docker_host_ip}:{hub_port}",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "STELLARS_DEMO_STATE": str(state),
                "JUPYTERHUB_BIND_URL": public_url,
                "JUPYTERHUB_ADMIN": f"demo-{docker_run.run_id}",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group: Ctrl-C reaches the script, the hub and the proxy.
            start_new_session=True,
        )
    try:
        wait_until(
            lambda: _answers(f"{public_url}/hub/login") or demo.poll() is not None,
            timeout_s=START_TIMEOUT_S,
            interval_s=1.0,
            what="the demo's login page",
            explain=lambda: log_path.read_text(errors="replace")[-4000:],
        )
        assert demo.poll() is None, log_path.read_text(errors="replace")[-4000:]

        assert _mode(state) == 0o700
        written = sorted(path for path in state.rglob("*") if path.is_file())
        names = {path.name for path in written}
        assert {"jupyterhub.sqlite", "jupyterhub_cookie_secret", "admin-password"} <= names
        readable_by_others = {
            path.name: oct(_mode(path)) for path in written if _mode(path) & 0o077
        }
        assert readable_by_others == {}
        # The earlier demo's password is kept (the admin still logs in with it).
        assert leftover.read_text() == "an-earlier-demo-password\n"

        os.killpg(demo.pid, signal.SIGINT)
        demo.wait(timeout=90)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    output = log_path.read_text(errors="replace")
    assert "No such file or directory" not in output, output[-4000:]
    assert "the Docker engine was running before the demo: left running" in output, output[-4000:]
    assert not _answers(f"{public_url}/hub/login")
    assert docker_run.client.ping()
