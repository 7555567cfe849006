"""Bringing a large database of the previous release to this checkout's schema, on SQLite.

Builds the previous release's database (``stellars_testing.release_db``: the
schema captured on that release's commit) in a temporary folder, with
1,000 users x 1,000 samples (1,000,000 activity samples, one every ten
minutes) and the totals, daily counts and state that release keeps with
them, written in one bulk insert. Then times, as medians over ``--rounds``:

- **with the samples**: a real hub (``stellars_hub.configure``, local
  spawner, configurable-http-proxy) started on a fresh copy of that
  database, from launch to ``/hub/health`` answering through the proxy: what
  an operator waits for after upgrading, the platform's table preparation
  (its migrations, once they exist) included;
- **empty tables** (the baseline): the same start on a copy of the same
  release's database without samples;
- **upgrade alone**: ``stellars_hub.migrations.upgrade_platform`` on a fresh
  copy, where this checkout has it.

The difference between the first two is what the samples cost at start; it
and the upgrade alone must stay under the limit (60 s). Prints a Markdown
table; exits with 1 when over the limit.

    nox -s bench            # or: python bench/bench_migrations.py --rounds 3
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stellars_testing.hub import platform_config, start_hub, stop_hub
from stellars_testing.release_db import create_release_schema, fill_release_activity

LIMIT_S = 60.0
# By default the samples end now and span under the 7-day retention: a start
# then prunes nothing, so the figure is the schema's work, not the
# retention's. --days-down moves them back, as a hub down for that long finds them.
NOW = datetime.now(UTC)
PLATFORM = {
    "JUPYTERHUB_SPAWNER": "local",
    "JUPYTERHUB_ADMIN_PASSWORD": "bench-passphrase",
    "JUPYTERHUB_GPU_ENABLED": "0",
}


def _time_start(database: Path, workdir: Path) -> float:
    workdir.mkdir(parents=True, exist_ok=True)
    copy = workdir / "jupyterhub.sqlite"
    shutil.copyfile(database, copy)
    started = time.perf_counter()
    hub = start_hub(workdir, platform_config(PLATFORM), db_url=f"sqlite:///{copy}")
    seconds = time.perf_counter() - started
    stop_hub(hub)
    return seconds


def _time_upgrade(database: Path, workdir: Path) -> float | None:
    try:
        # The platform's migrations (issue 15); a checkout from before them has none.
        migrations = importlib.import_module("stellars_hub.migrations")
    except ModuleNotFoundError:
        return None
    settings = importlib.import_module("stellars_hub").load_settings
    copy = workdir / "upgrade.sqlite"
    shutil.copyfile(database, copy)
    environ = {**PLATFORM, "JUPYTERHUB_DB_URL": f"sqlite:///{copy}"}
    started = time.perf_counter()
    migrations.upgrade_platform(settings(environ))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--per-user", type=int, default=1000, help="samples per user")
    parser.add_argument("--rounds", type=int, default=3, help="hub starts of each kind")
    parser.add_argument(
        "--days-down",
        type=float,
        default=0.0,
        help="the samples end this many days before the start: a hub that was down "
        "(past the 7-day retention, the start prunes every one of them)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        empty, full = root / "empty.sqlite", root / "full.sqlite"
        create_release_schema(f"sqlite:///{empty}")
        shutil.copyfile(empty, full)
        started = time.perf_counter()
        fill_release_activity(full, args.users, args.per_user, NOW - timedelta(days=args.days_down))
        loaded = time.perf_counter() - started
        rows = args.users * args.per_user
        print(f"loaded {rows:,} samples in {loaded:.1f} s", flush=True)

        timings: dict[str, list[float]] = {"empty": [], "full": [], "upgrade": []}
        for number in range(args.rounds):
            # Alternating, so both kinds share the machine's load.
            timings["empty"].append(_time_start(empty, root / f"empty-{number}"))
            timings["full"].append(_time_start(full, root / f"full-{number}"))
            upgrade = _time_upgrade(full, root / f"full-{number}")
            if upgrade is not None:
                timings["upgrade"].append(upgrade)

    empty_s = statistics.median(timings["empty"])
    full_s = statistics.median(timings["full"])
    upgrade_s = statistics.median(timings["upgrade"]) if timings["upgrade"] else None
    cost = max(full_s - empty_s, 0.0)
    down = f", samples ending {args.days_down:g} days before the start" if args.days_down else ""
    print(f"{os.cpu_count()} CPUs, SQLite, {args.rounds} starts of each, medians{down}")
    print("| measure | seconds | limit s |")
    print("| --- | --- | --- |")
    print(f"| hub start, release database with empty tables (baseline) | {empty_s:.2f} | |")
    print(f"| hub start, release database with {rows:,} samples | {full_s:.2f} | |")
    print(f"| what the samples cost at start | {cost:.2f} | {LIMIT_S:.0f} |")
    shown = "no migrations in this checkout" if upgrade_s is None else f"{upgrade_s:.2f}"
    print(f"| upgrade_platform alone | {shown} | {LIMIT_S:.0f} |")
    if max(cost, upgrade_s or 0.0) >= LIMIT_S:
        print(f"over the limit of {LIMIT_S:.0f} s", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
