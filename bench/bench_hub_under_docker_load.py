"""Latency of a cheap hub API call while Docker work runs, against the same call on an idle hub.

Starts the platform on a real hub and proxy spawning into the local engine,
with five running lab servers and the stats refresher on a 2 s interval. It
measures ``GET /hub/api/user`` (token lookup and user model) first on the
idle hub (the baseline), then while five restarts run at once and the stats
refresher samples the containers. If any of that blocked the hub's event
loop, the cheap call would wait behind it. Prints p50/p99 of both.

    nox -s bench            # or: python bench/bench_hub_under_docker_load.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from _measure import get_latencies_ms, percentile

from stellars_testing.docker_engine import DockerRun, bridge_gateway, connect, lab_image
from stellars_testing.hub import RunningHub, platform_config, start_hub, stop_hub

SERVERS = 5


def _start_servers(hub: RunningHub, usernames: list[str]) -> None:
    for username in usernames:
        hub.api("POST", f"users/{username}").raise_for_status()
        hub.api("POST", f"users/{username}/server").raise_for_status()
    for username in usernames:
        hub.wait_for_server(username, running=True)


def _restart_all(hub: RunningHub, usernames: list[str], statuses: list[str]) -> None:
    def restart(username: str) -> None:
        response = hub.api("POST", f"users/{username}/restart-server")
        statuses.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=restart, args=(name,)) for name in usernames]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="idle-hub requests")
    args = parser.parse_args()

    client = connect()
    run = DockerRun(client, f"bench{uuid.uuid4().hex[:8]}")
    usernames = [f"load{number}-{run.run_id}" for number in range(SERVERS)]
    settings = {
        "JUPYTERHUB_NOTEBOOK_IMAGE": lab_image(client),
        "JUPYTERHUB_SHARED_VOLUME": f"bench_shared_{run.run_id}",
        "JUPYTERHUB_STATS_INTERVAL": "2",
        "JUPYTERHUB_GPU_ENABLED": "0",
        "JUPYTERHUB_ADMIN_PASSWORD": "bench",
    }
    labels = f"c.DockerSpawner.extra_create_kwargs['labels'].update({run.labels!r})"
    with tempfile.TemporaryDirectory() as workdir:
        hub = start_hub(
            Path(workdir), platform_config(settings, labels), hub_ip=bridge_gateway(client)
        )
        try:
            session = requests.Session()
            session.headers["Authorization"] = f"token {hub.admin_token}"
            url = hub.hub_url("api/user")
            _start_servers(hub, usernames)
            get_latencies_ms(session, url, most=30)  # warm-up
            idle = get_latencies_ms(session, url, most=args.requests)

            done = threading.Event()
            statuses: list[str] = []
            restarts = threading.Thread(target=_restart_all, args=(hub, usernames, statuses))
            started = time.perf_counter()
            restarts.start()
            threading.Thread(target=lambda: (restarts.join(), done.set())).start()
            loaded = get_latencies_ms(session, url, until=done, most=100_000)
            load_seconds = time.perf_counter() - started
        finally:
            stop_hub(hub)
            run.cleanup()

    if [status[:3] for status in statuses] != ["200"] * SERVERS:
        raise SystemExit(f"restarts answered {statuses}")
    print(f"{os.cpu_count()} CPUs; {SERVERS} restarts at once took {load_seconds:.1f}s")
    print("| hub | requests | p50 ms | p99 ms | max ms |")
    print("| --- | --- | --- | --- | --- |")
    for name, samples in (("idle", idle), (f"{SERVERS} restarts + stats", loaded)):
        print(
            f"| {name} | {len(samples)} | {statistics.median(samples):.2f} "
            f"| {percentile(samples, 0.99):.2f} | {max(samples):.2f} |"
        )


if __name__ == "__main__":
    main()
