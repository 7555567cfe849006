"""``POST /hub/api/users`` with a batch of names: the platform against core JupyterHub.

The baseline is core JupyterHub with its DummyAuthenticator (no accounts,
no passwords); the platform's authenticator also checks each new name
against the username policy and gives each user an account with a
generated passphrase. Both on SQLite, the same batch, in the same run.

The platform stores each passphrase first with a provisional bcrypt hash
and re-hashes it at full cost in the background once the batch is done
(stellars_auth.passwords). The bench also times that, and the latency of
``GET /hub/api/user`` while it runs: the hub must keep answering.

    nox -s bench            # or: python bench/bench_bulk_users.py --users 1000
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
from pathlib import Path

import requests
from _measure import get_latencies_ms, percentile, timed

from stellars_testing.accounts import wait_for_full_cost
from stellars_testing.hub import RunningHub, platform_config, start_hub, stop_hub

ADMIN = "bench-admin"
CORE_CONFIG = """
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.Authenticator.allow_all = True
"""


def _create(hub: RunningHub, usernames: list[str]) -> float:
    hub.api_timeout = 600.0
    seconds, response = timed(lambda: hub.api("POST", "users", json={"usernames": usernames}))
    response.raise_for_status()
    assert len(response.json()) == len(usernames), response.text[:200]
    return seconds


def _core(usernames: list[str]) -> float:
    with tempfile.TemporaryDirectory() as workdir:
        hub = start_hub(Path(workdir), CORE_CONFIG)
        try:
            return _create(hub, usernames)
        finally:
            stop_hub(hub)


def _platform(usernames: list[str]) -> tuple[float, float, list[float]]:
    environ = {
        "JUPYTERHUB_SPAWNER": "local",
        "JUPYTERHUB_ADMIN": ADMIN,
        "JUPYTERHUB_ADMIN_PASSWORD": "bench-admin-passphrase",
        "JUPYTERHUB_GPU_ENABLED": "0",
    }
    with tempfile.TemporaryDirectory() as workdir:
        hub = start_hub(Path(workdir), platform_config(environ))
        try:
            created = _create(hub, usernames)
            session = requests.Session()
            session.headers["Authorization"] = f"token {hub.admin_token}"
            settled = threading.Event()
            latencies: list[float] = []
            caller = threading.Thread(
                target=lambda: latencies.extend(
                    get_latencies_ms(session, hub.hub_url("api/user"), until=settled)
                )
            )
            caller.start()
            try:
                hashing, _ = timed(
                    lambda: wait_for_full_cost(
                        hub.db_url, usernames, timeout_s=len(usernames) * 1.0 + 60
                    )
                )
            finally:
                settled.set()
                caller.join()
            return created, hashing, latencies
        finally:
            stop_hub(hub)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1000, help="names in the one batch")
    args = parser.parse_args()
    usernames = [f"user{number:04d}" for number in range(args.users)]

    core = _core(usernames)
    created, hashing, latencies = _platform(usernames)
    print(f"{os.cpu_count()} CPUs, one batch of {args.users} names, SQLite")
    print(
        "| core JupyterHub, s | platform, s | ratio | re-hashed at full cost after, s "
        "| GET /hub/api/user meanwhile, p50 / p99 ms |"
    )
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| {core:.1f} | {created:.1f} | {created / core:.2f} | {hashing:.0f} "
        f"| {statistics.median(latencies):.1f} / {percentile(latencies, 0.99):.1f} |"
    )


if __name__ == "__main__":
    main()
