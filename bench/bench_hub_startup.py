"""Hub start-up with the whole platform against a stock JupyterHub with the same parts.

Each round starts, on a fresh SQLite database, the same JupyterHub and
configurable-http-proxy three ways, and times each from launching the
process to ``/hub/health`` answering through the proxy:

- **stock**: JupyterHub with NativeAuthenticator and DockerSpawner and
  nothing else (the baseline);
- **platform, GPU off**: ``stellars_hub.configure`` with
  ``JUPYTERHUB_GPU_ENABLED=0``;
- **platform, GPU auto**: the same with detection on (``2``), so the probe
  container runs on this engine before the hub serves; on a host without an
  NVIDIA runtime it fails fast, and it can never take longer than
  ``JUPYTERHUB_GPU_PROBE_TIMEOUT``.

The kinds alternate within each round, so they share the machine's load.
Prints each kind's median and the platform's ratio to the stock hub.

    nox -s bench            # or: python bench/bench_hub_startup.py --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import uuid
from pathlib import Path

from _measure import timed

from stellars_testing.docker_engine import DockerRun, bridge_gateway, connect, lab_image
from stellars_testing.hub import platform_config, start_hub, stop_hub

STOCK = """
c.JupyterHub.authenticator_class = "nativeauthenticator.NativeAuthenticator"
c.Authenticator.admin_users = {"admin"}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
c.DockerSpawner.image = %r
"""


def _time_start(config: str, hub_ip: str) -> float:
    with tempfile.TemporaryDirectory() as workdir:
        seconds, hub = timed(lambda: start_hub(Path(workdir), config, hub_ip=hub_ip))
        stop_hub(hub)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="starts of each kind")
    args = parser.parse_args()

    client = connect()
    run = DockerRun(client, f"bench{uuid.uuid4().hex[:8]}")
    image = lab_image(client)
    hub_ip = bridge_gateway(client)
    platform = {
        "JUPYTERHUB_NOTEBOOK_IMAGE": image,
        "JUPYTERHUB_SHARED_VOLUME": f"bench_shared_{run.run_id}",
        "JUPYTERHUB_ADMIN_PASSWORD": "bench-passphrase",
    }
    kinds = {
        "stock JupyterHub (NativeAuthenticator, DockerSpawner)": STOCK % image,
        "platform, GPU off": platform_config({**platform, "JUPYTERHUB_GPU_ENABLED": "0"}),
        "platform, GPU auto-detect": platform_config({**platform, "JUPYTERHUB_GPU_ENABLED": "2"}),
    }
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    try:
        _time_start(STOCK % image, hub_ip)  # warm-up: imports and the page cache
        for _ in range(args.rounds):
            for kind, config in kinds.items():
                timings[kind].append(_time_start(config, hub_ip))
    finally:
        run.cleanup()

    stock = statistics.median(next(iter(timings.values())))
    print(f"{os.cpu_count()} CPUs, {args.rounds} starts of each, medians")
    print("| hub | start-up median s | min / max s | ratio to stock |")
    print("| --- | --- | --- | --- |")
    for kind, samples in timings.items():
        median = statistics.median(samples)
        print(
            f"| {kind} | {median:.2f} | {min(samples):.2f} / {max(samples):.2f} | "
            f"{median / stock:.2f} |"
        )


if __name__ == "__main__":
    main()
