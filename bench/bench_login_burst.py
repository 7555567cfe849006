"""Latency of a cheap hub API call during a burst of concurrent logins, against an idle hub.

Starts a real hub and proxy with the platform's authenticator and 20 users
created by the admin (generated passphrases, read once through the
credentials API). Then times ``GET /hub/api/user`` (token lookup and a user
model) back to back: first on the idle hub (the baseline), then while 20
people log in through the login form at once, in rounds. bcrypt (tens of
milliseconds per check, on purpose) runs in worker threads, so the event
loop keeps answering; on the loop it would queue every request behind it.

    nox -s bench            # or: python bench/bench_login_burst.py --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from stellars_testing import HubSession
from stellars_testing.hub import RunningHub, platform_config, start_hub, stop_hub

ADMIN = "bench-admin"
USERS = [f"burst{number:02d}" for number in range(20)]


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _time_calls(session: requests.Session, url: str, until: threading.Event) -> list[float]:
    timings = []
    while not until.is_set():
        started = time.perf_counter()
        session.get(url, timeout=30).raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _log_in(hub: RunningHub, username: str, password: str) -> bool:
    response = HubSession(hub).log_in(username, password)
    return response.status_code == 200 and "/hub/login" not in response.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="bursts of 20 concurrent logins")
    parser.add_argument("--idle-s", type=float, default=10.0, help="seconds of idle baseline")
    args = parser.parse_args()

    environ = {
        "JUPYTERHUB_SPAWNER": "local",
        "JUPYTERHUB_ADMIN": ADMIN,
        "JUPYTERHUB_ADMIN_PASSWORD": "bench-admin-passphrase",
        "JUPYTERHUB_GPU_ENABLED": "0",
    }
    with tempfile.TemporaryDirectory() as workdir:
        hub = start_hub(Path(workdir), platform_config(environ))
        try:
            token = hub.api("POST", f"users/{ADMIN}/tokens", json={}).json()["token"]
            hub.api("POST", "users", token=token, json={"usernames": USERS}).raise_for_status()
            answer = hub.api("POST", "admin/credentials", token=token, json={"usernames": USERS})
            passwords = {c["username"]: c["password"] for c in answer.json()["credentials"]}
            assert len(passwords) == len(USERS), answer.text

            session = requests.Session()
            session.headers["Authorization"] = f"token {token}"
            url = hub.hub_url("api/user")
            for _ in range(20):  # warm-up
                session.get(url, timeout=30).raise_for_status()

            stop = threading.Event()
            timer = threading.Timer(args.idle_s, stop.set)
            timer.start()
            idle = _time_calls(session, url, stop)

            burst: list[float] = []
            logins: list[float] = []
            with ThreadPoolExecutor(len(USERS)) as pool:
                for _ in range(args.rounds):
                    stop = threading.Event()
                    caller = threading.Thread(
                        target=lambda until: burst.extend(_time_calls(session, url, until)),
                        args=(stop,),
                    )
                    caller.start()
                    started = time.perf_counter()
                    results = list(
                        pool.map(lambda name: _log_in(hub, name, passwords[name]), USERS)
                    )
                    logins.append(time.perf_counter() - started)
                    stop.set()
                    caller.join()
                    assert all(results), "a login failed"
        finally:
            stop_hub(hub)

    print(f"{os.cpu_count()} CPUs; {args.rounds} bursts of {len(USERS)} concurrent logins")
    print("| hub | calls | p50 ms | p99 ms |")
    print("| --- | --- | --- | --- |")
    for name, samples in (("idle", idle), ("during login bursts", burst)):
        p50, p99 = statistics.median(samples), _percentile(samples, 0.99)
        print(f"| {name} | {len(samples)} | {p50:.1f} | {p99:.1f} |")
    print(f"a burst of {len(USERS)} logins took {statistics.median(logins):.2f} s (median)")


if __name__ == "__main__":
    main()
