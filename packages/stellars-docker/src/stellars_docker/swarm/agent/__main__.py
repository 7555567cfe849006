"""``python -m stellars_docker.swarm.agent``: serve this node's engine to the hub.

Run as a global service of the hub image, with the node's engine socket
mounted and the shared secret as a swarm secret file. Its settings come
from its arguments or, where absent, from the environment the service
definition gives it (``STELLARS_AGENT_PORT``, ``STELLARS_AGENT_SECRET_FILE``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

import docker
from tornado.httpserver import HTTPServer

from stellars_docker.engine import call_engine
from stellars_docker.errors import DockerUnavailableError
from stellars_docker.sizes import VolumeSizeRefresher
from stellars_docker.stats import StatsCollector
from stellars_docker.swarm.agent.protocol import MAX_BODY_BYTES
from stellars_docker.swarm.agent.server import AgentContext, make_app

log = logging.getLogger("stellars_docker.swarm.agent")

DEFAULT_PORT = 8090
DEFAULT_SECRET_FILE = "/run/secrets/stellars-agent-secret"  # noqa: S105  (a path)
# Refreshes happen on the hub's request only; these intervals are never used.
_UNUSED_INTERVAL_S = 3600.0


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m stellars_docker.swarm.agent")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("STELLARS_AGENT_PORT", DEFAULT_PORT))
    )
    parser.add_argument(
        "--secret-file",
        default=os.environ.get("STELLARS_AGENT_SECRET_FILE", DEFAULT_SECRET_FILE),
    )
    parser.add_argument("--engine-timeout", type=float, default=30.0)
    parser.add_argument("--sizes-timeout", type=float, default=120.0)
    return parser.parse_args(argv)


async def _serve(arguments: argparse.Namespace, secret: str) -> None:
    limit_s = arguments.engine_timeout
    while True:
        try:
            client = await call_engine(limit_s, docker.from_env, timeout=int(limit_s))
            info = await call_engine(limit_s, client.info)
            break
        except DockerUnavailableError as error:
            log.warning("%s; trying again in 5 s", error)
            await asyncio.sleep(5)
    context = AgentContext(
        client=client,
        node=str(info.get("Name", "")),
        secret=secret,
        limit_s=limit_s,
        port=arguments.port,
        stats=StatsCollector(client, interval_s=_UNUSED_INTERVAL_S, timeout_s=limit_s),
        sizes=VolumeSizeRefresher(
            client, interval_s=_UNUSED_INTERVAL_S, timeout_s=arguments.sizes_timeout
        ),
    )
    server = HTTPServer(make_app(context), max_body_size=MAX_BODY_BYTES)
    server.listen(arguments.port)
    log.info("serving the node %s to the hub on port %s", context.node, arguments.port)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    """Serve until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    arguments = _arguments(sys.argv[1:] if argv is None else argv)
    # Read before the loop runs: nothing is served without it.
    secret = Path(arguments.secret_file).read_text(encoding="utf-8").strip()
    if not secret:
        raise SystemExit(f"the secret file {arguments.secret_file} is empty")
    asyncio.run(_serve(arguments, secret))


if __name__ == "__main__":
    main()
