"""A spawn on the 3-node test swarm against a spawn on one engine, side by side.

The swarm is the test layer's (``stellars_testing.swarm``): a manager and two
workers, each a Docker engine in a container of this machine's engine. Two
hubs run from the hub image on the manager node:

- one with ``JUPYTERHUB_SPAWNER=swarm``: each server a service that the
  swarm places on any of the three nodes, on an attachable overlay;
- one with ``JUPYTERHUB_SPAWNER=docker``: each server a container of the
  manager's own engine, on a bridge network (the single-host platform).

Same machine, same engines, same images, the same settings otherwise. Each
hub has one user, started and stopped again and again; spawns alternate
between the hubs, one at a time, each hub first in every other round. Each
spawn is timed by JupyterHub itself (its "took N seconds to start": from the
start request to the server answering). The first round of each (volumes
made, the image's first start on a node) is left out. The issue's bound: the
swarm's median within 1.3 times the single engine's.

    python bench/bench_swarm_spawn.py --rounds 8
    (needs the swarm node, hub and lab images: scripts/provision-all.sh)
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import uuid

from stellars_testing import wait_until
from stellars_testing.docker_engine import connect, hub_image, lab_image
from stellars_testing.hub_container import HubContainer, start_hub_container
from stellars_testing.swarm import Swarm, start_swarm
from stellars_testing.swarm_agents import start_agents

LIMIT = 1.3
COMMON = {
    "JUPYTERHUB_SHARED_VOLUME": "none",
    "JUPYTERHUB_GPU_ENABLED": "0",
}


def _spawn_once(hub: HubContainer, username: str) -> float:
    took = re.compile(rf"User {re.escape(username)} took ([0-9.]+) seconds to start")
    before = len(took.findall(hub.logs("all")))
    response = hub.api("POST", f"users/{username}/server")
    assert response.status_code in {201, 202}, response.text
    wait_until(
        lambda: len(took.findall(hub.logs("all"))) > before,
        timeout_s=180,
        interval_s=0.5,
        what=f"{username}'s server to start",
    )
    elapsed = float(took.findall(hub.logs("all"))[-1])
    assert hub.api("DELETE", f"users/{username}/server").status_code in {202, 204}
    wait_until(
        lambda: not hub.api("GET", f"users/{username}").json()["servers"],
        timeout_s=120,
        interval_s=0.5,
        what=f"{username}'s server to stop",
    )
    return elapsed


def _hubs(swarm: Swarm, hub: str, lab: str) -> dict[str, tuple[HubContainer, str]]:
    manager = swarm.manager.client
    overlay, bridge = f"bench-overlay-{swarm.run_id}", f"bench-bridge-{swarm.run_id}"
    manager.networks.create(overlay, driver="overlay", attachable=True)
    manager.networks.create(bridge, driver="bridge")
    kinds = {"swarm": overlay, "docker": bridge}
    # Before a server starts on the swarm the hub asks every node's agent
    # which volumes of its names the node holds: the agents run, as deployed.
    agents = start_agents(swarm, hub)
    hubs = {}
    for kind, network in kinds.items():
        on_swarm = kind == "swarm"
        container = start_hub_container(
            manager,
            image=hub,
            name=f"bench-hub-{kind}",
            network=network,
            address=swarm.manager.address,
            environment={
                **COMMON,
                "JUPYTERHUB_SPAWNER": kind,
                "JUPYTERHUB_NETWORK_NAME": network,
                "JUPYTERHUB_NOTEBOOK_IMAGE": lab,
                **(agents.hub_environment() if on_swarm else {}),
            },
            files=agents.hub_files() if on_swarm else None,
            networks=[agents.network] if on_swarm else (),
        )
        username = f"bench{kind}"
        created = container.api("POST", "users", json={"usernames": [username]})
        assert created.status_code == 201, created.text
        hubs[kind] = (container, username)
    return hubs


def time_spawns(rounds: int) -> dict[str, list[float]]:
    """Return the seconds of each spawn on the swarm and on one engine, alternating."""
    host = connect()
    hub, lab = hub_image(host), lab_image(host)
    swarm = start_swarm(host, f"bench{uuid.uuid4().hex[:8]}")
    timings: dict[str, list[float]] = {"swarm": [], "docker": []}
    hubs: dict[str, tuple[HubContainer, str]] = {}
    try:
        swarm.load_image(lab)
        swarm.load_image(hub, nodes=[swarm.manager])
        hubs = _hubs(swarm, hub, lab)
        for number in range(rounds + 1):
            order = ["swarm", "docker"] if number % 2 == 0 else ["docker", "swarm"]
            for kind in order:
                container, username = hubs[kind]
                seconds = _spawn_once(container, username)
                if number > 0:  # the first: volumes made, the image's first start
                    timings[kind].append(seconds)
    finally:
        for container, _ in hubs.values():
            with contextlib.suppress(Exception):
                container.container.remove(force=True)
        swarm.stop()
    return timings


def main() -> None:
    """Run the rounds and print the medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=8)
    timings = time_spawns(parser.parse_args().rounds)
    medians = {kind: statistics.median(seconds) for kind, seconds in timings.items()}
    for kind, seconds in timings.items():
        shown = ", ".join(f"{value:.2f}" for value in seconds)
        print(f"{kind:>7}: median {medians[kind]:.2f} s  ({shown})")
    ratio = medians["swarm"] / medians["docker"]
    print(f"swarm / one engine: {ratio:.2f} (limit {LIMIT})")
    if ratio > LIMIT:
        raise SystemExit(f"a spawn on the swarm took {ratio:.2f} times one on one engine")


if __name__ == "__main__":
    main()
