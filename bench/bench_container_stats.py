"""Time of one stats refresh of 20 lab containers against one stats call, side by side.

Starts 20 small containers from the locally built lab image (nothing is
pulled), labelled as lab containers and with this run's label, and repeats:
one ``container.stats(stream=False)`` call (the baseline: the engine answers
after two samples a second apart), then ``StatsCollector.refresh()`` over all
20, configured as the hub configures it. Prints the median of each and the
ratio to the baseline, and always removes the containers.

    nox -s bench            # or: python bench/bench_container_stats.py --containers 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import uuid

import docker
from _measure import timed

from stellars_docker.labels import LAB_ROLE, ROLE_LABEL
from stellars_docker.stats import StatsCollector
from stellars_testing.docker_engine import DEFAULT_LAB_IMAGE, DockerRun


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--containers", type=int, default=20, help="lab containers to sample")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds (medians)")
    args = parser.parse_args()

    client = docker.from_env(timeout=60)
    image = os.environ.get("STELLARS_LAB_IMAGE", DEFAULT_LAB_IMAGE)
    # containers.run would pull a missing image; fail instead.
    client.images.get(image)
    run = DockerRun(client, f"bench{uuid.uuid4().hex[:8]}")
    labels = {**run.labels, ROLE_LABEL: LAB_ROLE}
    try:
        containers = [
            client.containers.run(
                image,
                ["sleep", "300"],
                name=f"bench-stats-{number}-{run.run_id}",
                labels=labels,
                detach=True,
            )
            for number in range(args.containers)
        ]
        collector = StatsCollector(client, interval_s=60, timeout_s=60, labels=labels)
        timings: dict[str, list[float]] = {"one stats call": [], "refresh of all": []}
        containers[0].stats(stream=False)  # warm-up: connection, engine's collector
        for _ in range(args.repeats):
            timings["one stats call"].append(timed(lambda: containers[0].stats(stream=False))[0])
            timings["refresh of all"].append(timed(lambda: asyncio.run(collector.refresh()))[0])
            sampled = len(collector.snapshot())
            if sampled != args.containers:
                raise SystemExit(f"{sampled} of {args.containers} containers sampled")
    finally:
        run.cleanup()

    print(f"{args.containers} containers, {args.repeats} rounds, {os.cpu_count()} CPUs")
    print("| measured | median s | min s | max s | ratio to one call |")
    print("| --- | --- | --- | --- | --- |")
    baseline = statistics.median(timings["one stats call"])
    for name, samples in timings.items():
        median = statistics.median(samples)
        print(
            f"| {name} | {median:.2f} | {min(samples):.2f} | {max(samples):.2f} "
            f"| {median / baseline:.2f} |"
        )


if __name__ == "__main__":
    main()
