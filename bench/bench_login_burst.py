"""Latency of a cheap hub API call during a burst of concurrent logins, against an idle hub.

Starts a real hub and proxy with the platform's authenticator and 20 users
created by the admin (generated passphrases, read once through the
credentials API). Then times ``GET /hub/api/user`` (token lookup and a user
model) back to back: first on the idle hub (the baseline), then while 20
people log in through the login form at once, in rounds. bcrypt (tens of
milliseconds per check, on purpose) runs in worker threads, so the event
loop keeps answering; on the loop it would queue every request behind it.

In the same run, the login throttle: a successful login's latency on that
hub against a second hub with the throttle off (the ratio), and
``GET /hub/api/user`` during a flood of 1,000 failed logins for 1,000
different names from one address (its p99 must stay under 50 ms).

    nox -s bench            # or: python bench/bench_login_burst.py --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from _measure import get_latencies_ms, percentile, timed

from stellars_testing import HubSession
from stellars_testing.accounts import wait_for_full_cost
from stellars_testing.hub import RunningHub, platform_config, start_hub, stop_hub

ADMIN = "bench-admin"
PASSWORD = "JUPYTERHUB_ADMIN_PASSWORD"
USERS = [f"burst{number:02d}" for number in range(20)]


def _log_in(hub: RunningHub, username: str, password: str) -> bool:
    response = HubSession(hub).log_in(username, password)
    return response.status_code == 200 and "/hub/login" not in response.url


def _login_latency_ms(hub: RunningHub, username: str, password: str, times: int) -> float:
    """Return the median milliseconds of *times* successful logins, one after another."""
    timings = []
    for _ in range(times):
        seconds, logged_in = timed(lambda: _log_in(hub, username, password))
        assert logged_in, f"{username} could not log in"
        timings.append(seconds * 1000)
    return statistics.median(timings)


def _failed_login_status(hub: RunningHub, username: str) -> int:
    return HubSession(hub).log_in(username, "not-the-password").status_code


def _flood(
    hub: RunningHub, session: requests.Session, url: str, names: int
) -> tuple[list[float], dict[int, int]]:
    """Return the API timings during *names* failed logins (one per name), and their codes."""
    stop = threading.Event()
    timings: list[float] = []
    caller = threading.Thread(
        target=lambda: timings.extend(get_latencies_ms(session, url, until=stop))
    )
    caller.start()
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda n: _failed_login_status(hub, f"flood{n:04d}"), range(names)))
    stop.set()
    caller.join()
    return timings, {code: codes.count(code) for code in sorted(set(codes))}


def _throttle_off_login_ms(environ: dict[str, str], times: int) -> float:
    off = {**environ, "JUPYTERHUB_LOGIN_LOCKOUT_ATTEMPTS": "0"}
    with tempfile.TemporaryDirectory() as workdir:
        hub = start_hub(Path(workdir), platform_config(off))
        try:
            return _login_latency_ms(hub, ADMIN, off[PASSWORD], times)
        finally:
            stop_hub(hub)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="bursts of 20 concurrent logins")
    parser.add_argument("--idle-s", type=float, default=10.0, help="seconds of idle baseline")
    parser.add_argument("--logins", type=int, default=20, help="logins timed with and without")
    parser.add_argument("--flood", type=int, default=1000, help="failed logins, one per name")
    args = parser.parse_args()

    environ = {
        "JUPYTERHUB_SPAWNER": "local",
        "JUPYTERHUB_ADMIN": ADMIN,
        PASSWORD: "bench-admin-passphrase",
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
            # Their passphrases are re-hashed at full cost in the background:
            # the idle baseline starts once that is done.
            wait_for_full_cost(hub.db_url, USERS)

            session = requests.Session()
            session.headers["Authorization"] = f"token {token}"
            url = hub.hub_url("api/user")
            get_latencies_ms(session, url, most=20)  # warm-up

            stop = threading.Event()
            timer = threading.Timer(args.idle_s, stop.set)
            timer.start()
            idle = get_latencies_ms(session, url, until=stop)

            burst: list[float] = []
            logins: list[float] = []
            with ThreadPoolExecutor(len(USERS)) as pool:
                for _ in range(args.rounds):
                    stop = threading.Event()
                    caller = threading.Thread(
                        target=lambda until: burst.extend(
                            get_latencies_ms(session, url, until=until)
                        ),
                        args=(stop,),
                    )
                    caller.start()
                    seconds, results = timed(
                        lambda: list(
                            pool.map(lambda name: _log_in(hub, name, passwords[name]), USERS)
                        )
                    )
                    logins.append(seconds)
                    stop.set()
                    caller.join()
                    assert all(results), "a login failed"

            with_throttle_ms = _login_latency_ms(hub, ADMIN, environ[PASSWORD], args.logins)
            flood, codes = _flood(hub, session, url, args.flood)
        finally:
            stop_hub(hub)
    without_throttle_ms = _throttle_off_login_ms(environ, args.logins)

    print(f"{os.cpu_count()} CPUs; {args.rounds} bursts of {len(USERS)} concurrent logins")
    print("| hub | calls | p50 ms | p99 ms |")
    print("| --- | --- | --- | --- |")
    for name, samples in (("idle", idle), ("during login bursts", burst)):
        p50, p99 = statistics.median(samples), percentile(samples, 0.99)
        print(f"| {name} | {len(samples)} | {p50:.1f} | {p99:.1f} |")
    print(f"a burst of {len(USERS)} logins took {statistics.median(logins):.2f} s (median)")
    _print_throttle(with_throttle_ms, without_throttle_ms, flood, codes, args)


def _print_throttle(
    with_ms: float, without_ms: float, flood: list[float], codes: dict[int, int], args: Any
) -> None:
    print(
        f"a successful login: {with_ms:.1f} ms with the throttle, {without_ms:.1f} ms "
        f"without (median of {args.logins}; ratio {with_ms / without_ms:.2f})"
    )
    p50, p99 = statistics.median(flood), percentile(flood, 0.99)
    print(
        f"during {args.flood} failed logins for {args.flood} names from one address: "
        f"GET /hub/api/user p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(flood)} calls; "
        f"answers {codes}"
    )


if __name__ == "__main__":
    main()
