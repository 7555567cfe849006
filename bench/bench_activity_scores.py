"""Scores of every user from the activity store against summing each user's samples in Python.

Builds 1,000 users x 7 days x one sample every 10 minutes (1,008,000 rows) in
SQLite (a file in a temporary folder) and in a throwaway PostgreSQL database
(STELLARS_TEST_POSTGRES_URL, dropped at the end), then times, as medians:

- ``ActivityStore.scores(now)`` for every user (reads the per-user totals);
- ``ActivityStore.record_tick`` of one tick for every user;
- ``ActivityStore.prune`` of one tick's worth of expired samples (what the
  first tick of each hour adds);
- the straightforward method (the baseline): load each user's samples and
  sum the weights with ``scoring.activity_score``.

Checks that both methods give the same scores and prints a Markdown table.

    nox -s bench            # or: python bench/bench_activity_scores.py --backend sqlite
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from _measure import timed
from sqlalchemy import insert, select

from stellars_activity import ActivitySample, ActivitySettings, ActivityStore, Sample
from stellars_activity.schema import HISTORY
from stellars_activity.scoring import activity_score
from stellars_core.migrations import upgrade
from stellars_testing import database

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=10)
SETTINGS = ActivitySettings()


def _rows(users: int, per_user: int) -> Iterator[tuple[str, datetime, bool]]:
    rng = random.Random(2026)
    for number in range(users):
        share = rng.random()
        for step in range(1, per_user + 1):
            yield f"user{number:04d}", NOW - step * INTERVAL, rng.random() < share


def _load_sqlite(store: ActivityStore, users: int, per_user: int) -> None:
    batch: list[dict[str, object]] = []
    with store.engine.begin() as connection:
        for username, timestamp, active in _rows(users, per_user):
            batch.append({"username": username, "timestamp": timestamp, "active": active})
            if len(batch) == 50_000:
                connection.execute(insert(ActivitySample), batch)
                batch.clear()
        if batch:
            connection.execute(insert(ActivitySample), batch)


def _load_postgres(store: ActivityStore, users: int, per_user: int) -> None:
    connection = store.engine.raw_connection()
    try:
        cursor = connection.cursor()
        copy_sql = "COPY activity_samples (username, timestamp, active) FROM STDIN"
        with cursor.copy(copy_sql) as copy:
            for row in _rows(users, per_user):
                copy.write_row(row)
        # As autovacuum would soon after a bulk load: without statistics the
        # planner scans the table instead of using the timestamp index.
        cursor.execute("ANALYZE activity_samples")
        connection.commit()
    finally:
        connection.close()


def _median_ms(action: Callable[[int], object], repeats: int) -> float:
    return statistics.median(timed(partial(action, n))[0] for n in range(repeats)) * 1000


def _straightforward(store: ActivityStore, usernames: list[str], now: datetime) -> dict[str, float]:
    table = ActivitySample.__table__
    scores: dict[str, float] = {}
    with store.engine.connect() as connection:
        for username in usernames:
            rows = connection.execute(
                select(table.c.timestamp, table.c.active).where(table.c.username == username)
            )
            samples = [Sample(timestamp, active) for timestamp, active in rows]
            score = activity_score(samples, now, SETTINGS.half_life, SETTINGS.retention)
            if score is not None:
                scores[username] = score
    return scores


def _run(backend: str, url: str, args: argparse.Namespace) -> list[str]:
    store = ActivityStore(url, SETTINGS)
    upgrade(url, [HISTORY])
    load = _load_sqlite if backend == "SQLite" else _load_postgres
    loaded, _ = timed(lambda: load(store, args.users, args.per_user))
    # The first prune builds the per-user totals from the rows.
    built, _ = timed(lambda: store.prune(NOW))
    usernames = [f"user{number:04d}" for number in range(args.users)]

    scores_ms = _median_ms(lambda _: store.scores(NOW), args.repeats)
    tick_ms = _median_ms(
        lambda n: store.record_tick(dict.fromkeys(usernames, n % 2 == 0), NOW + (n + 1) * INTERVAL),
        args.repeats,
    )
    # What the first tick of each hour adds: pruning the samples that left the
    # window (each tick above pushed one per user out).
    prune_ms = _median_ms(lambda n: store.prune(NOW + (n + 1) * INTERVAL), args.repeats)
    now = NOW + args.repeats * INTERVAL
    store.scores(now)  # drops the samples the ticks pushed out of the window
    fast = {name: s.score for name, s in store.scores(now).items() if s.score is not None}
    baseline_ms = _median_ms(
        lambda _: _straightforward(store, usernames, now), args.baseline_repeats
    )
    slow = _straightforward(store, usernames, now)
    assert fast.keys() == slow.keys(), "the two methods scored different users"
    worst = max(abs(fast[u] - slow[u]) / max(abs(slow[u]), 1e-300) for u in slow)
    assert worst < 1e-6, f"scores differ: max relative difference {worst:.2e}"
    store.engine.dispose()
    print(
        f"{backend}: loaded {args.users * args.per_user} rows in {loaded:.1f} s, "
        f"totals built in {built:.2f} s",
        flush=True,
    )
    return [
        backend,
        f"{args.users * args.per_user:,}",
        f"{scores_ms:.1f}",
        f"{tick_ms:.1f}",
        f"{prune_ms:.1f}",
        f"{baseline_ms:.0f}",
        f"{baseline_ms / scores_ms:.0f}x",
        f"{worst:.1e}",
        f"{built:.1f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--per-user", type=int, default=7 * 24 * 6, help="samples per user")
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds of the store")
    parser.add_argument("--baseline-repeats", type=int, default=5, help="rounds of the baseline")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()

    table = [
        (
            "| backend | rows | scores, all users, median ms | one tick of all users, median ms "
            "| pruning one tick's worth, median ms | straightforward, median ms | speed-up "
            "| max relative difference | totals rebuilt from rows, s |"
        ),
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    if args.backend in {"sqlite", "both"}:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'activity.sqlite'}"
            table.append("| " + " | ".join(_run("SQLite", url, args)) + " |")
    if args.backend in {"postgresql", "both"}:
        server = database.connect()
        try:
            url = server.create_database()
            table.append("| " + " | ".join(_run("PostgreSQL", url, args)) + " |")
        finally:
            server.drop_created()
    print("\n".join(table))


if __name__ == "__main__":
    main()
