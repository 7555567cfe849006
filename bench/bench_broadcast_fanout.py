"""A broadcast through the real hub to 200 simulated labs: fan-out time, concurrency, API latency.

Starts the platform on a real hub and proxy whose spawner "starts" a server
by pointing the hub at one simulated lab process on loopback, which serves
every user's server URL. Its ingest endpoint behaves like a lab: it checks
the request's token with the hub (``GET /hub/api/user``, as a single-user
server does) and needs ``access:servers`` on that very server, then answers
after a delay drawn evenly from 0 to 2 s; one server in ten never answers.
It counts the requests it holds at once.

The bench then measures ``GET /hub/api/user`` (token lookup and user model)
on the idle hub (the baseline) and again, continuously, while one
``POST /hub/api/notifications/broadcast`` to every running server is in
flight. Anything in the broadcast that blocked the hub's event loop would
show as latency of that cheap call.

    nox -s bench            # or: python bench/bench_broadcast_fanout.py --timeout 5
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
from _measure import get_latencies_ms, percentile
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.httpserver import HTTPServer

from stellars_testing.hub import TEST_BASE_URL, RunningHub, platform_config, start_hub, stop_hub
from stellars_testing.ports import free_ports

SERVERS = 200
SILENT_SHARE = 0.1
MAX_DELAY_S = 2.0
ADMIN = "bench-admin"
INGEST = "jupyterlab-notifications-extension/ingest"

# The hub's spawner for the bench: a server is the simulated lab's address.
SIMULATED_SPAWNER = """
from jupyterhub.spawner import Spawner


class SimulatedLabSpawner(Spawner):
    running = False

    async def start(self):
        self.running = True
        return ("127.0.0.1", {port})

    async def poll(self):
        return None if self.running else 0

    async def stop(self, now=False):
        self.running = False


c.JupyterHub.spawner_class = SimulatedLabSpawner
"""


def _delays(usernames: list[str], seed: int) -> dict[str, float | None]:
    """Return how long each lab takes to answer: evenly spread, one in ten never (None)."""
    rng = random.Random(seed)
    silent = set(rng.sample(usernames, round(len(usernames) * SILENT_SHARE)))
    return {name: None if name in silent else rng.uniform(0, MAX_DELAY_S) for name in usernames}


class _Lab(web.RequestHandler):
    def initialize(
        self, hub_api: str, delays: dict[str, float | None], stats: dict[str, int]
    ) -> None:
        self.hub_api = hub_api
        self.delays = delays
        self.stats = stats

    def get(self, username: str, path: str) -> None:  # noqa: ARG002 - the hub's "is it up?"
        self.finish({"ok": True})

    async def post(self, username: str, path: str) -> None:
        if path != INGEST:
            raise web.HTTPError(404)
        self.stats["now"] += 1
        self.stats["most"] = max(self.stats["most"], self.stats["now"])
        try:
            delay = self.delays[username]
            if delay is None:
                await asyncio.Event().wait()  # a server that never answers
            if not await self._token_reaches(username):
                raise web.HTTPError(403)
            await asyncio.sleep(delay or 0.0)
            self.stats["received"] += 1
            self.finish({"success": True})
        finally:
            self.stats["now"] -= 1

    async def _token_reaches(self, username: str) -> bool:
        try:
            response = await AsyncHTTPClient().fetch(
                f"{self.hub_api}user",
                headers={"Authorization": self.request.headers.get("Authorization", "")},
            )
        except HTTPClientError:
            return False
        scopes = web.escape.json_decode(response.body).get("scopes", [])
        return f"access:servers!server={username}/" in scopes


class _Stats(web.RequestHandler):
    def initialize(self, stats: dict[str, int]) -> None:
        self.stats = stats

    def get(self) -> None:
        self.finish(self.stats)


def _serve_labs(port: int, hub_api: str, delays: dict[str, float | None]) -> None:
    async def main() -> None:
        stats = {"now": 0, "most": 0, "received": 0}
        user = rf"{TEST_BASE_URL}user/([^/]+)/(.*)"
        app = web.Application(
            [
                (r"/bench-stats", _Stats, {"stats": stats}),
                (user, _Lab, {"hub_api": hub_api, "delays": delays, "stats": stats}),
            ]
        )
        HTTPServer(app).listen(port, "127.0.0.1")
        await asyncio.Event().wait()

    asyncio.run(main())


def _start_servers(hub: RunningHub, usernames: list[str]) -> None:
    # Each new user gets a generated passphrase (bcrypt): creating 200 takes a minute or two.
    hub.api_timeout = 600
    hub.api("POST", "users", json={"usernames": usernames}).raise_for_status()
    hub.api_timeout = 30
    for username in usernames:
        hub.api("POST", f"users/{username}/server").raise_for_status()
    for username in usernames:
        hub.wait_for_server(username, running=True)


def _broadcast(hub: RunningHub, token: str, outcome: dict[str, Any]) -> None:
    started = time.perf_counter()
    response = hub.api(
        "POST",
        "notifications/broadcast",
        token=token,
        json={"message": "Maintenance at 18:00", "variant": "warning"},
    )
    outcome["seconds"] = time.perf_counter() - started
    outcome["status"] = response.status_code
    outcome["body"] = response.json()


def _measure(
    hub: RunningHub, args: argparse.Namespace, lab_port: int, usernames: list[str]
) -> None:
    _start_servers(hub, usernames)
    token = hub.api("POST", f"users/{ADMIN}/tokens", json={}).json()["token"]
    session = requests.Session()
    session.headers["Authorization"] = f"token {token}"
    url = hub.hub_url("api/user")
    get_latencies_ms(session, url, most=50)  # warm-up

    idle_for = threading.Event()
    threading.Timer(args.timeout + 1, idle_for.set).start()
    idle = get_latencies_ms(session, url, until=idle_for)

    outcome: dict[str, Any] = {}
    sender = threading.Thread(target=_broadcast, args=(hub, token, outcome))
    sent = threading.Event()
    sender.start()
    threading.Thread(target=lambda: (sender.join(), sent.set())).start()
    busy = get_latencies_ms(session, url, until=sent)
    stats = requests.get(f"http://127.0.0.1:{lab_port}/bench-stats", timeout=10).json()

    body = outcome["body"]
    assert outcome["status"] == 200, body
    reasons: dict[str, int] = {}
    for result in body["results"]:
        reason = result["reason"] or "delivered"
        reasons[reason] = reasons.get(reason, 0) + 1
    print(
        f"{os.cpu_count()} CPUs, {SERVERS} servers, timeout {args.timeout} s, "
        f"concurrency {args.concurrency}"
    )
    print(f"outcomes: {reasons}; the labs accepted {stats['received']} tokens")
    print(
        "| fan-out s | limit (timeout + 1 s) | most at once | "
        "idle p50 / p99 ms | during fan-out p50 / p99 / max ms | requests idle / during |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    print(
        f"| {outcome['seconds']:.2f} | {args.timeout + 1:.0f} | {stats['most']} | "
        f"{statistics.median(idle):.2f} / {percentile(idle, 0.99):.2f} | "
        f"{statistics.median(busy):.2f} / {percentile(busy, 0.99):.2f} / {max(busy):.2f} | "
        f"{len(idle)} / {len(busy)} |"
    )
    print(f"ratio during/idle (p50): {statistics.median(busy) / statistics.median(idle):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=5.0, help="per-server timeout, s")
    parser.add_argument("--concurrency", type=int, default=200, help="requests at once")
    args = parser.parse_args()
    (lab_port,) = free_ports(["127.0.0.1"])
    settings = {
        "JUPYTERHUB_SPAWNER": "local",  # replaced by the simulated spawner below
        "JUPYTERHUB_ADMIN": ADMIN,
        "JUPYTERHUB_ADMIN_PASSWORD": "bench-passphrase",
        "JUPYTERHUB_GPU_ENABLED": "0",
        "JUPYTERHUB_NOTIFICATIONS_TIMEOUT": str(args.timeout),
        "JUPYTERHUB_NOTIFICATIONS_CONCURRENCY": str(args.concurrency),
    }
    with tempfile.TemporaryDirectory() as workdir:
        config = platform_config(settings, SIMULATED_SPAWNER.format(port=lab_port))
        hub = start_hub(Path(workdir), config)
        usernames = [f"user{i:03d}" for i in range(SERVERS)]
        labs = multiprocessing.Process(
            target=_serve_labs,
            args=(lab_port, hub.hub_url("api/"), _delays(usernames, seed=2026)),
            daemon=True,
        )
        labs.start()
        try:
            _measure(hub, args, lab_port, usernames)
        finally:
            labs.terminate()
            stop_hub(hub)


if __name__ == "__main__":
    main()
