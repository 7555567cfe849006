"""``GET /hub/api/activity`` for 1,000 users against JupyterHub's own user list, side by side.

Starts the assembled platform (Docker spawner, so each row also looks up the
user's container stats and volume sizes) on a real hub and proxy, with
its database on SQLite and then on PostgreSQL (STELLARS_TEST_POSTGRES_URL).
Creates 1,000 users through the REST API and loads 7 days of samples for
each, one every 10 minutes (1,008,000 rows), into the hub's database. Then
alternates ``GET /hub/api/users`` (core: every user's model, the baseline)
and ``GET /hub/api/activity`` (every user's row: server state, score, daily
history) with the same token, and prints medians, p95 and their ratio.

    nox -s bench            # or: python bench/bench_activity_api.py --backend sqlite
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import requests
from _activity_samples import load_samples
from _measure import alternating_latencies_ms, percentile, timed

from stellars_testing import database
from stellars_testing.accounts import wait_for_full_cost
from stellars_testing.hub import platform_config, start_hub, stop_hub

if TYPE_CHECKING:
    from stellars_testing.hub import RunningHub

ADMIN = "bench-admin"
# Both endpoints return every user in one answer.
EXTRA_CONFIG = (
    "c.JupyterHub.api_page_default_limit = 5000\nc.JupyterHub.api_page_max_limit = 5000\n"
)


def _measure(hub: RunningHub, requests_each: int) -> dict[str, list[float]]:
    token = hub.api("POST", f"users/{ADMIN}/tokens", json={}).json()["token"]
    session = requests.Session()
    session.headers["Authorization"] = f"token {token}"
    urls = {
        "core GET /hub/api/users": hub.hub_url("api/users"),
        "platform GET /hub/api/activity": hub.hub_url("api/activity"),
    }
    counts = {
        "core GET /hub/api/users": len,
        "platform GET /hub/api/activity": lambda body: len(body["users"]),
    }
    for _ in range(5):  # warm-up
        for name, url in urls.items():
            response = session.get(url, timeout=60)
            response.raise_for_status()
            assert counts[name](response.json()) > 1000, name
    return alternating_latencies_ms(session, urls, requests_each, timeout=60)


def _run(backend: str, db_url: str | None, args: argparse.Namespace) -> list[str]:
    with tempfile.TemporaryDirectory() as workdir:
        environ = {
            "JUPYTERHUB_NOTEBOOK_IMAGE": os.environ.get(
                "STELLARS_LAB_IMAGE", "stellars-hub-lab:latest"
            ),
            "JUPYTERHUB_SHARED_VOLUME": "none",
            "JUPYTERHUB_ADMIN": ADMIN,
            "JUPYTERHUB_ADMIN_PASSWORD": "bench-passphrase",
            "JUPYTERHUB_GPU_ENABLED": "0",
            "JUPYTERHUB_ACTIVITYMON_SAMPLE_INTERVAL": "600",
        }
        hub = start_hub(Path(workdir), platform_config(environ, EXTRA_CONFIG), db_url=db_url)
        try:
            usernames = [f"user{number:04d}" for number in range(args.users)]
            hub.api("POST", "users", json={"usernames": usernames}).raise_for_status()
            loading, _ = timed(lambda: load_samples(hub.db_url, usernames, args.per_user))
            print(f"{backend}: loaded samples in {loading:.0f} s", flush=True)
            # The accounts' passphrases are re-hashed at full cost in the
            # background (a quarter of a second each): measure a settled hub.
            wait_for_full_cost(hub.db_url, usernames, timeout_s=args.users * 1.0 + 60)
            timings = _measure(hub, args.requests)
        finally:
            stop_hub(hub)
    core, platform = (timings[name] for name in timings)
    return [
        backend,
        f"{args.users}",
        f"{args.users * args.per_user:,}",
        f"{statistics.median(core):.1f}",
        f"{statistics.median(platform):.1f}",
        f"{percentile(platform, 0.95):.1f}",
        f"{statistics.median(platform) / statistics.median(core):.2f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--per-user", type=int, default=7 * 24 * 6, help="samples per user")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per endpoint")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()

    table = [
        (
            "| hub database | users | samples | core /hub/api/users, median ms "
            "| /hub/api/activity, median ms | /hub/api/activity, p95 ms | ratio (median) |"
        ),
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    if args.backend in {"sqlite", "both"}:
        table.append("| " + " | ".join(_run("SQLite", None, args)) + " |")
    if args.backend in {"postgresql", "both"}:
        server = database.connect()
        try:
            table.append(
                "| " + " | ".join(_run("PostgreSQL", server.create_database(), args)) + " |"
            )
        finally:
            server.drop_created()
    print(f"{os.cpu_count()} CPUs, {args.requests} requests per endpoint")
    print("\n".join(table))


if __name__ == "__main__":
    main()
