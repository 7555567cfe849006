"""A page of the Activity table with 5,000 users: the API and the page's first paint.

Starts the assembled platform on a real hub and proxy (SQLite, or PostgreSQL
from STELLARS_TEST_POSTGRES_URL), puts 5,000 accounts in the hub's database
and a week of samples for each, one every 10 minutes (5,040,000 rows), then:

- alternates JupyterHub's own ``GET /hub/api/users?limit=50`` (the baseline)
  with ``GET /hub/api/activity?limit=50`` (the first page by name) and
  ``...&sort=activity&order=desc`` (the busiest first: every user's score is
  read for that sort), all with JupyterHub's pagination media type and the
  same token, and prints medians, p95 and the ratios;
- opens ``/hub/activity`` in headless Chromium as the admin, and JupyterHub's
  own admin page as the baseline, and times each from navigation to the
  first user row painted (median of several loads).

The accounts go into the hub's database beside the running hub, as rows of
JupyterHub's own model (both endpoints read the users table at every
request): made through the REST API, every one would be re-hashed at full
bcrypt cost in the background (a quarter of a second each), which would be
measured instead; and a hub restarted on 5,000 accounts spends minutes
giving each its default role before it answers.

    python bench/bench_activity_page.py --backend sqlite
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import requests
from _activity_samples import load_samples
from _measure import alternating_latencies_ms, percentile, timed
from jupyterhub import orm
from playwright.sync_api import sync_playwright
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from stellars_testing import database
from stellars_testing.browser import launch, log_in
from stellars_testing.hub import platform_config, start_hub, stop_hub

if TYPE_CHECKING:
    from stellars_testing.hub import RunningHub

ADMIN = "bench-admin"
PASSWORD = "bench-passphrase"
PAGED = {"Accept": "application/jupyterhub-pagination+json"}
LOADS = 7  # page loads per page


def _add_accounts(db_url: str, usernames: list[str]) -> None:
    # JupyterHub's model fills what the hub needs (cookie ids, creation times).
    engine = create_engine(db_url)
    with Session(engine) as session:
        session.add_all(orm.User(name=name) for name in usernames)
        session.commit()
    engine.dispose()


def _api(hub: RunningHub, rounds: int) -> dict[str, list[float]]:
    token = hub.api("POST", f"users/{ADMIN}/tokens", json={}).json()["token"]
    session = requests.Session()
    session.headers.update({**PAGED, "Authorization": f"token {token}"})
    urls = {
        "core /hub/api/users?limit=50": hub.hub_url("api/users?limit=50"),
        "/hub/api/activity?limit=50": hub.hub_url("api/activity?limit=50"),
        "... sorted by activity": hub.hub_url("api/activity?limit=50&sort=activity&order=desc"),
    }
    for url in urls.values():  # warm-up, and a check that each answers a full page
        for _ in range(3):
            response = session.get(url, timeout=60)
            response.raise_for_status()
            assert len(response.json()["items"]) == 50, url
    return alternating_latencies_ms(session, urls, rounds, timeout=60)


def _first_row_ms(hub: RunningHub, path: str, row: str) -> list[float]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = log_in(browser, hub, ADMIN, PASSWORD)
            timings = []
            for _ in range(LOADS + 1):
                started = time.perf_counter()
                page.goto(hub.hub_url(path))
                page.locator(row).first.wait_for(timeout=30_000)
                timings.append((time.perf_counter() - started) * 1000)
            return timings[1:]  # the first load fills the browser's cache
        finally:
            browser.close()


def _run(backend: str, db_url: str | None, args: argparse.Namespace) -> list[list[str]]:
    with tempfile.TemporaryDirectory() as workdir:
        environ = {
            "JUPYTERHUB_SPAWNER": args.spawner,
            "JUPYTERHUB_NOTEBOOK_IMAGE": os.environ.get(
                "STELLARS_LAB_IMAGE", "stellars-hub-lab:latest"
            ),
            "JUPYTERHUB_SHARED_VOLUME": "none",
            "JUPYTERHUB_ADMIN": ADMIN,
            "JUPYTERHUB_ADMIN_PASSWORD": PASSWORD,
            "JUPYTERHUB_GPU_ENABLED": "0",
            "JUPYTERHUB_ACTIVITYMON_SAMPLE_INTERVAL": "600",
        }
        config = platform_config(environ)
        hub = start_hub(Path(workdir), config, db_url=db_url)
        usernames = [f"user{number:04d}" for number in range(args.users)]
        try:
            _add_accounts(hub.db_url, usernames)
            loading, _ = timed(lambda: load_samples(hub.db_url, usernames, args.per_user))
            print(f"{backend}: loaded samples in {loading:.0f} s", flush=True)
            api = _api(hub, args.requests)
            page = _first_row_ms(hub, "activity", "#stellars-activity-table tr[data-username]")
            core_page = _first_row_ms(hub, "admin", "text=/user0\\d{3}/")
        finally:
            stop_hub(hub)
    core, *platform_rows = api.values()
    lines = []
    for name, timings in zip(list(api)[1:], platform_rows, strict=True):
        lines.append(
            [
                backend,
                name,
                f"{statistics.median(core):.1f}",
                f"{percentile(core, 0.95):.1f}",
                f"{statistics.median(timings):.1f}",
                f"{percentile(timings, 0.95):.1f}",
                f"{statistics.median(timings) / statistics.median(core):.2f}",
            ]
        )
    lines.append(
        [
            backend,
            "page /hub/activity, first row painted (vs /hub/admin)",
            f"{statistics.median(core_page):.0f}",
            f"{max(core_page):.0f} (max)",
            f"{statistics.median(page):.0f}",
            f"{max(page):.0f} (max)",
            f"{statistics.median(page) / statistics.median(core_page):.2f}",
        ]
    )
    return lines


def _machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({model}), {platform.machine()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--per-user", type=int, default=7 * 24 * 6, help="samples per user")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per endpoint")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--spawner", choices=["docker", "local"], default="docker")
    args = parser.parse_args()

    table = [
        (
            "| hub database | measured | core median ms | core p95 ms "
            "| platform median ms | platform p95 ms | ratio (median) |"
        ),
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    if args.backend in {"sqlite", "both"}:
        table.extend("| " + " | ".join(line) + " |" for line in _run("SQLite", None, args))
    if args.backend in {"postgresql", "both"}:
        server = database.connect()
        try:
            rows = _run("PostgreSQL", server.create_database(), args)
            table.extend("| " + " | ".join(line) + " |" for line in rows)
        finally:
            server.drop_created()
    print(f"{_machine()}; {args.users} users, {args.requests} requests per endpoint")
    print("\n".join(table))


if __name__ == "__main__":
    main()
