"""Run inside the swarm hub's container: time one stats call, one agent and a whole refresh.

``bench_swarm_stats.py`` copies this file into the hub's container and runs
it there with the hub's Python and environment, so that every call goes
where the hub's own go: the manager's engine through the mounted socket,
each node's agent at its task's address on the agents' network. The
client is built from the hub's own settings (``load_settings`` over the
container's environment, the secret from its file), as the hub builds it.

Each round times, in an order that turns round every round:

- one call: the engine's stats of one lab container on this node
  (``GET /containers/{id}/stats?stream=false``, what ``docker stats
  --no-stream`` asks for one container), in a thread, as the agents make it;
- one agent: ``POST /stats`` to this node's agent (its node's labs, sampled);
- refresh: ``AgentStats.refresh()``, the hub's whole refresh: the agents
  found through the manager, then every one asked at once.

Prints one JSON object: the seconds of each, by round, and what the last
refresh saw (containers by node, the nodes missing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import docker
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from stellars_docker.labels import LAB_ROLE, ROLE_LABEL
from stellars_docker.swarm.agent import AgentClient, AgentSettings
from stellars_docker.swarm.agent.client import AgentStats
from stellars_docker.swarm.agent.protocol import SECRET_HEADER, STATS_PATH, bearer
from stellars_hub.settings import load_settings

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

# The hub's refresher is never started here: refresh() is called by hand.
_UNUSED_INTERVAL_S = 3600.0


async def _timed(call: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def _measure(rounds: int, secret: str) -> dict:
    settings = load_settings(os.environ)
    engine = docker.from_env(timeout=settings.docker_timeout)
    agents = AgentClient(
        lambda: engine,
        AgentSettings(
            service=settings.swarm_agent_service,
            network=settings.swarm_agent_network,
            port=settings.swarm_agent_port,
            secret=secret,
            timeout_s=settings.docker_timeout,
        ),
    )
    stats = AgentStats(agents, interval_s=_UNUSED_INTERVAL_S)
    node = engine.info()["Name"]
    labs = engine.api.containers(filters={"label": f"{ROLE_LABEL}={LAB_ROLE}"})
    if not labs:
        raise SystemExit(f"no lab container runs on {node}, the hub's node")
    container_id = labs[0]["Id"]
    found, _ = await agents.agents()
    (own,) = [agent for agent in found if agent.node == node]
    request = HTTPRequest(
        f"http://{own.address}:{settings.swarm_agent_port}{STATS_PATH}",
        method="POST",
        body="{}",
        headers={SECRET_HEADER: bearer(secret), "Content-Type": "application/json"},
        request_timeout=settings.docker_timeout,
    )

    async def one_call() -> None:
        await asyncio.to_thread(engine.api.stats, container_id, stream=False)

    async def one_agent() -> None:
        await AsyncHTTPClient().fetch(request)

    kinds = {"one call": one_call, "one agent": one_agent, "refresh": stats.refresh}
    for call in kinds.values():  # warm-up: connections, the engines' first samples
        await call()
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    order = list(kinds)
    for number in range(rounds):
        for kind in order[number % len(order) :] + order[: number % len(order)]:
            timings[kind].append(await _timed(kinds[kind]))
    by_node = Counter(sample.node for sample in stats.snapshot().values())
    return {
        "hub_node": node,
        "timings": timings,
        "containers_by_node": dict(by_node),
        "missing": stats.missing,
    }


def main() -> None:
    """Measure and print the JSON object."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    secret_file = load_settings(os.environ).swarm_agent_secret_file
    secret = Path(secret_file).read_text(encoding="utf-8").strip()
    print(json.dumps(asyncio.run(_measure(parser.parse_args().rounds, secret))))


if __name__ == "__main__":
    main()
