"""A broadcast's fan-out to 200 simulated lab endpoints: total time, concurrency, loop lag.

A separate process serves 200 ingest endpoints on loopback (one port each),
answering after a delay spread evenly over 0 to 2 s, except one in ten that
never answers. ``stellars_ui.broadcasts.deliver`` sends to all of them with
the configured concurrency and per-server timeout, while a ticker in the
same event loop measures how late a 10 ms sleep wakes (its lag): first on
the idle loop (the baseline), then during the fan-out. The endpoint process
reports the most requests it held at once.

    nox -s bench            # or: python bench/bench_broadcast_fanout.py --timeout 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import socket
import statistics
import time
from typing import Any

from tornado import web
from tornado.httpclient import AsyncHTTPClient
from tornado.httpserver import HTTPServer

from stellars_ui.broadcasts import Recipient, deliver
from stellars_ui.broadcasts.delivery import INGEST_PATH

ENDPOINTS = 200
SILENT_SHARE = 0.1
MAX_DELAY_S = 2.0


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for probe in sockets:
        probe.bind(("127.0.0.1", 0))
    ports = [probe.getsockname()[1] for probe in sockets]
    for probe in sockets:
        probe.close()
    return ports


class _Ingest(web.RequestHandler):
    def initialize(self, delay_s: float | None, stats: dict[str, int]) -> None:
        self.delay_s = delay_s
        self.stats = stats

    async def post(self) -> None:
        self.stats["now"] += 1
        self.stats["most"] = max(self.stats["most"], self.stats["now"])
        try:
            if self.delay_s is None:  # never answers
                await asyncio.Event().wait()
            await asyncio.sleep(self.delay_s)
            self.finish({"success": True})
        finally:
            self.stats["now"] -= 1


class _Stats(web.RequestHandler):
    def initialize(self, stats: dict[str, int]) -> None:
        self.stats = stats

    def get(self) -> None:
        self.finish(self.stats)


def _serve(ports: list[int], stats_port: int, seed: int) -> None:
    async def main() -> None:
        rng = random.Random(seed)
        stats = {"now": 0, "most": 0}
        for port in ports:
            delay = None if rng.random() < SILENT_SHARE else rng.uniform(0, MAX_DELAY_S)
            app = web.Application(
                [(rf"/user/[^/]+/{INGEST_PATH}", _Ingest, {"delay_s": delay, "stats": stats})]
            )
            HTTPServer(app).listen(port, "127.0.0.1")
        HTTPServer(web.Application([(r"/stats", _Stats, {"stats": stats})])).listen(
            stats_port, "127.0.0.1"
        )
        await asyncio.Event().wait()

    asyncio.run(main())


async def _lag_while(task: asyncio.Future[Any] | None, duration_s: float) -> list[float]:
    lags = []
    deadline = time.perf_counter() + duration_s
    while (task is not None and not task.done()) or (
        task is None and time.perf_counter() < deadline
    ):
        started = time.perf_counter()
        await asyncio.sleep(0.01)
        lags.append((time.perf_counter() - started - 0.01) * 1000)
    return lags


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


async def _run(args: argparse.Namespace, ports: list[int], stats_port: int) -> None:
    recipients = [
        Recipient(f"user{i:03d}", f"http://127.0.0.1:{port}/user/user{i:03d}/")
        for i, port in enumerate(ports)
    ]
    idle = await _lag_while(None, 3.0)
    started = time.perf_counter()
    fanout = asyncio.ensure_future(
        deliver(
            recipients,
            {"message": "bench"},
            token="t",
            concurrency=args.concurrency,
            timeout_s=args.timeout,
        )
    )
    busy = await _lag_while(fanout, 0)
    outcomes = await fanout
    total = time.perf_counter() - started
    stats = json.loads((await AsyncHTTPClient().fetch(f"http://127.0.0.1:{stats_port}/stats")).body)
    reasons: dict[str, int] = {}
    for outcome in outcomes:
        reasons[outcome.reason or "delivered"] = reasons.get(outcome.reason or "delivered", 0) + 1
    print(
        f"{os.cpu_count()} CPUs, {ENDPOINTS} endpoints, timeout {args.timeout} s, "
        f"concurrency {args.concurrency}"
    )
    print(f"outcomes: {reasons}")
    print(
        "| fan-out total s | limit (timeout + 1 s) | most requests at once | "
        "loop lag idle p50 / p99 ms | loop lag during fan-out p50 / p99 ms |"
    )
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| {total:.2f} | {args.timeout + 1:.0f} | {stats['most']} | "
        f"{statistics.median(idle):.2f} / {_p99(idle):.2f} | "
        f"{statistics.median(busy):.2f} / {_p99(busy):.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=5.0, help="per-server timeout, s")
    parser.add_argument("--concurrency", type=int, default=200, help="requests at once")
    args = parser.parse_args()
    ports = _free_ports(ENDPOINTS + 1)
    stats_port = ports.pop()
    server = multiprocessing.Process(target=_serve, args=(ports, stats_port, 2026), daemon=True)
    server.start()
    time.sleep(2)  # the endpoints listening
    try:
        asyncio.run(_run(args, ports, stats_port))
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
