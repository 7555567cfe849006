"""The broadcast history on SQLite and a real PostgreSQL: kept, trimmed, read newest first."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from stellars_testing.schema import migrate
from stellars_ui.broadcasts import BroadcastHistory, BroadcastRequest
from stellars_ui.schema import HISTORY


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


def history_of(db_url, keep):
    history = BroadcastHistory(db_url, keep=keep)
    migrate(history.engine, HISTORY)
    return history


def test_the_newest_broadcasts_are_kept_with_who_what_when_and_totals(db_url):
    history = history_of(db_url, keep=3)

    async def scenario():
        for i in range(5):
            await history.record(
                f"admin{i}",
                BroadcastRequest(f"note {i}", "warning", auto_close_ms=None if i % 2 else 4000),
                recipients=4,
                delivered=i % 4,
            )
        return await history.recent()

    before = datetime.now(UTC)
    kept = asyncio.run(scenario())
    history.engine.dispose()
    assert [b.message for b in kept] == ["note 4", "note 3", "note 2"]
    assert [b.sender for b in kept] == ["admin4", "admin3", "admin2"]
    assert [b.auto_close_ms for b in kept] == [4000, None, 4000]
    totals = [(b.recipients, b.delivered, b.failed) for b in kept]
    assert totals == [(4, 0, 4), (4, 3, 1), (4, 2, 2)]
    assert all(b.variant == "warning" for b in kept)
    for sent in kept:
        assert sent.sent_at.tzinfo is not None
        assert before - timedelta(seconds=1) <= sent.sent_at <= datetime.now(UTC)


def test_the_history_survives_a_restart_and_a_smaller_keep_trims_it(db_url):
    first = history_of(db_url, keep=10)

    async def record(history, count):
        for i in range(count):
            await history.record("boss", BroadcastRequest(f"m{i}"), recipients=1, delivered=1)

    asyncio.run(record(first, 4))
    first.engine.dispose()
    second = history_of(db_url, keep=2)  # the same database, read by a restarted hub
    assert [b.message for b in asyncio.run(second.recent())] == ["m3", "m2"]
    asyncio.run(record(second, 1))
    assert [b.message for b in asyncio.run(second.recent())] == ["m0", "m3"]
    second.engine.dispose()


def test_keep_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="keep"):
        BroadcastHistory(f"sqlite:///{tmp_path / 'h.sqlite'}", keep=0)


def test_deleting_an_entry_removes_that_one_only_and_an_unknown_id_is_reported(db_url):
    history = history_of(db_url, keep=10)

    async def scenario():
        sent = [
            await history.record("boss", BroadcastRequest(f"m{i}"), recipients=2, delivered=1)
            for i in range(3)
        ]
        removed = await history.delete(sent[1].id)
        again = await history.delete(sent[1].id)
        never = await history.delete(sent[-1].id + 1000)
        return removed, again, never, await history.recent()

    removed, again, never, kept = asyncio.run(scenario())
    history.engine.dispose()
    assert (removed, again, never) == (True, False, False)
    assert [b.message for b in kept] == ["m2", "m0"]


def test_a_deleted_entrys_id_is_never_given_to_a_later_broadcast(db_url):
    # A page still showing the deleted entry would otherwise delete the new one.
    history = history_of(db_url, keep=10)

    async def scenario():
        sent = [
            await history.record("boss", BroadcastRequest(f"m{i}"), recipients=1, delivered=1)
            for i in range(2)
        ]
        assert await history.delete(sent[-1].id)
        later = await history.record("boss", BroadcastRequest("m2"), recipients=1, delivered=1)
        return sent[-1].id, later.id

    deleted, later = asyncio.run(scenario())
    history.engine.dispose()
    assert later > deleted
