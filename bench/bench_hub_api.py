"""Latency of the platform's info API against a core JupyterHub API call, side by side.

Starts the assembled platform on a real hub and proxy, then alternates
requests to ``GET /hub/api/user`` (core: token lookup and user model, the
baseline) and ``GET /hub/api/stellars/info`` with the same token, so both
see the same machine load. Prints p50/p99 of each and their ratio.

    nox -s bench            # or: python bench/bench_hub_api.py --requests 500
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

import requests
from _measure import alternating_latencies_ms, percentile

from stellars_testing.hub import platform_config, start_hub, stop_hub


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500, help="requests per endpoint")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        config = platform_config({"JUPYTERHUB_ADMIN_PASSWORD": "bench"})
        hub = start_hub(Path(workdir), config)
        try:
            session = requests.Session()
            session.headers["Authorization"] = f"token {hub.admin_token}"
            urls = {
                "core /hub/api/user": hub.hub_url("api/user"),
                "platform /hub/api/stellars/info": hub.hub_url("api/stellars/info"),
            }
            # Warm-up first: connections, template and import caches.
            alternating_latencies_ms(session, urls, 20, timeout=10)
            timings = alternating_latencies_ms(session, urls, args.requests, timeout=10)
        finally:
            stop_hub(hub)

    print(f"{args.requests} requests each, {os.cpu_count()} CPUs")
    print("| endpoint | p50 ms | p99 ms |")
    print("| --- | --- | --- |")
    for name, samples in timings.items():
        print(f"| {name} | {statistics.median(samples):.2f} | {percentile(samples, 0.99):.2f} |")
    core, platform = (statistics.median(samples) for samples in timings.values())
    print(f"ratio platform/core (p50): {platform / core:.2f}")


if __name__ == "__main__":
    main()
