"""The hub's stats refresh over 20 servers on 3 swarm nodes, against one stats call.

Issue 18's figure: "Activity page stats for 20 servers across 3 nodes
refresh in about one stats call's time". The swarm is the test layer's
(``stellars_testing.swarm``: a manager and two workers, each a Docker
engine in a container of this machine's engine); the node agents run on
every node as a deployment runs them (``stellars_testing.swarm_agents``),
and the hub from the hub image on the manager with ``JUPYTERHUB_SPAWNER=swarm``.
Twenty users' servers are started through the hub's API (five at a time);
the swarm spreads them over the nodes.

Then ``_swarm_stats_probe.py`` runs in the hub's container, with the hub's
settings, and times round by round, in turn:

- one stats call (the baseline): the engine's stats of one lab container
  on the hub's node, which the engine answers after two samples a second
  apart; nothing that reports a container's CPU can be quicker;
- one agent: one node's agent answering ``POST /stats`` for its node's labs;
- the refresh: ``AgentStats.refresh()``, what the hub does for the Activity
  page: the agents found through the manager, all asked at once, each
  sampling its node's labs at once.

The hub's own refresher is set to an hour, so it never overlaps these.
Limit: the refresh's median within 1.5 times one call's.

    python bench/bench_swarm_stats.py --servers 20 --rounds 10
    (needs the swarm node, hub and lab images: scripts/provision-all.sh)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import tarfile
import uuid
from collections import Counter
from pathlib import Path

from _measure import percentile

from stellars_testing import wait_until
from stellars_testing.docker_engine import connect, hub_image, lab_image
from stellars_testing.hub_container import HubContainer, start_hub_container
from stellars_testing.swarm import Swarm, start_swarm
from stellars_testing.swarm_agents import start_agents

LIMIT = 1.5
PROBE = Path(__file__).with_name("_swarm_stats_probe.py")
PROBE_IN_HUB = "/tmp/swarm_stats_probe.py"
# Servers started at once: twenty JupyterLabs starting together on two cores
# would outlast the spawn timeout.
START_BATCH = 5
SERVER_TIMEOUT_S = 300
HUB_SETTINGS = {
    "JUPYTERHUB_SPAWNER": "swarm",
    "JUPYTERHUB_SHARED_VOLUME": "none",
    "JUPYTERHUB_GPU_ENABLED": "0",
    # The hub's own refresh would overlap the timed ones (an agent that is
    # sampling finishes that refresh before it samples again).
    "JUPYTERHUB_STATS_INTERVAL": "3600",
}


def _start_hub(swarm: Swarm, hub: str, lab: str) -> HubContainer:
    manager = swarm.manager.client
    network = f"bench-overlay-{swarm.run_id}"
    manager.networks.create(network, driver="overlay", attachable=True)
    agents = start_agents(swarm, hub)
    return start_hub_container(
        manager,
        image=hub,
        name="bench-hub-stats",
        network=network,
        address=swarm.manager.address,
        environment={
            **HUB_SETTINGS,
            **agents.hub_environment(),
            "JUPYTERHUB_NETWORK_NAME": network,
            "JUPYTERHUB_NOTEBOOK_IMAGE": lab,
        },
        files=agents.hub_files(),
        networks=[agents.network],
    )


def _start_servers(hub: HubContainer, usernames: list[str]) -> None:
    created = hub.api("POST", "users", json={"usernames": usernames})
    assert created.status_code == 201, created.text

    def ready(username: str) -> bool:
        response = hub.api("GET", f"users/{username}")
        response.raise_for_status()
        return bool(response.json()["servers"].get("", {}).get("ready"))

    for first in range(0, len(usernames), START_BATCH):
        batch = usernames[first : first + START_BATCH]
        for username in batch:
            response = hub.api("POST", f"users/{username}/server")
            assert response.status_code in {201, 202}, response.text
        wait_until(
            lambda batch=batch: all(ready(username) for username in batch),
            timeout_s=SERVER_TIMEOUT_S,
            interval_s=1,
            what=f"the servers of {batch}",
        )


def _servers_by_node(swarm: Swarm) -> Counter[str]:
    # The engine's own placement, not the agents' answers, which are measured.
    manager = swarm.manager.client
    hostnames = {node.id: node.attrs["Description"]["Hostname"] for node in manager.nodes.list()}
    return Counter(
        hostnames[task["NodeID"]]
        for service in manager.services.list()
        if service.name.startswith("jupyterlab-")
        for task in service.tasks(filters={"desired-state": "running"})
        if task["Status"]["State"] == "running"
    )


def _probe(hub: HubContainer, rounds: int) -> dict:
    data = PROBE.read_bytes()
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        entry = tarfile.TarInfo(Path(PROBE_IN_HUB).name)
        entry.size = len(data)
        entry.mode = 0o444
        tar.addfile(entry, io.BytesIO(data))
    hub.container.put_archive(str(Path(PROBE_IN_HUB).parent), archive.getvalue())
    result = hub.container.exec_run(["python", PROBE_IN_HUB, "--rounds", str(rounds)], demux=True)
    out, err = (part.decode(errors="replace") if part else "" for part in result.output)
    if result.exit_code != 0:
        raise SystemExit(f"the probe failed ({result.exit_code}):\n{err}{out}")
    return dict(json.loads(out.strip().splitlines()[-1]))


def measure(servers: int, rounds: int) -> tuple[dict, Counter[str]]:
    """Start the swarm, the agents, the hub and *servers* servers; return the probe's figures."""
    host = connect()
    hub_name, lab = hub_image(host), lab_image(host)
    swarm = start_swarm(host, f"bench{uuid.uuid4().hex[:8]}")
    hub: HubContainer | None = None
    try:
        swarm.load_image(lab)
        swarm.load_image(hub_name)  # every node runs an agent from it
        hub = _start_hub(swarm, hub_name, lab)
        _start_servers(hub, [f"benchstats{number}" for number in range(servers)])
        placed = _servers_by_node(swarm)
        figures = _probe(hub, rounds)
    finally:
        if hub is not None:
            with contextlib.suppress(Exception):
                hub.container.remove(force=True)
        swarm.stop()
    return figures, placed


def main() -> None:
    """Run the bench; print the medians, p95s and the ratio; fail past the limit."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--servers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    arguments = parser.parse_args()
    figures, placed = measure(arguments.servers, arguments.rounds)
    print(f"servers by node (the swarm's placement): {dict(sorted(placed.items()))}")
    print(f"stats by node (the last refresh): {figures['containers_by_node']}")
    print(f"nodes missing from the refresh: {figures['missing'] or 'none'}")
    medians = {}
    for kind, seconds in figures["timings"].items():
        medians[kind] = statistics.median(seconds)
        shown = ", ".join(f"{value:.2f}" for value in seconds)
        print(
            f"{kind:>9}: median {medians[kind]:.2f} s, p95 {percentile(seconds, 0.95):.2f} s"
            f"  ({shown})"
        )
    ratio = medians["refresh"] / medians["one call"]
    print(f"refresh / one call: {ratio:.2f} (limit {LIMIT})")
    if len(placed) < 2:
        raise SystemExit(f"the servers ran on {len(placed)} node: not a swarm's refresh")
    if sum(figures["containers_by_node"].values()) != arguments.servers or figures["missing"]:
        raise SystemExit("the refresh did not bring every server's stats")
    if ratio > LIMIT:
        raise SystemExit(f"a refresh took {ratio:.2f} times one stats call")


if __name__ == "__main__":
    main()
