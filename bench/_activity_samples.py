"""A week of activity samples for many users, written straight into the store's table.

The activity benchmarks need days of history for thousands of users; going
through the sampler would take that many days. Samples are one every
:data:`INTERVAL`, each user active in a fixed random share of them (seeded,
so every run loads the same history).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import insert

from stellars_activity import ActivitySample, ActivitySettings, ActivityStore

if TYPE_CHECKING:
    from collections.abc import Iterator

INTERVAL = timedelta(minutes=10)
BATCH = 50_000


def _rows(usernames: list[str], per_user: int, now: datetime) -> Iterator[dict[str, object]]:
    rng = random.Random(2026)
    for username in usernames:
        share = rng.random()
        for step in range(1, per_user + 1):
            yield {
                "username": username,
                "timestamp": now - step * INTERVAL,
                "active": rng.random() < share,
            }


def load_samples(db_url: str, usernames: list[str], per_user: int) -> None:
    """Write *per_user* samples of each of *usernames* before now, then rebuild the scores."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    store = ActivityStore(db_url, ActivitySettings())
    batch: list[dict[str, object]] = []
    with store.engine.begin() as connection:
        for row in _rows(usernames, per_user, now):
            batch.append(row)
            if len(batch) == BATCH:
                connection.execute(insert(ActivitySample), batch)
                batch.clear()
        if batch:
            connection.execute(insert(ActivitySample), batch)
    if store.engine.dialect.name == "postgresql":
        with store.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE activity_samples")
    store.rebuild(now)
    store.engine.dispose()
