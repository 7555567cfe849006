import itertools
import random
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from stellars_activity import (
    ActivityLevel,
    ActivitySample,
    ActivitySettings,
    ActivityState,
    ActivityStore,
    Sample,
    activity_score,
)
from stellars_activity.schema import HISTORY
from stellars_testing.schema import migrate

# The store's own SQL on its own tables: JupyterHub's version cannot change
# what it does (docs/testing.md), so the older one's session leaves it out.
pytestmark = pytest.mark.same_on_every_jupyterhub

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SETTINGS = ActivitySettings()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'activity.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


def make_store(url, settings=SETTINGS):
    store = ActivityStore(url, settings)
    migrate(store.engine, HISTORY)
    return store


@pytest.fixture
def store(database_url):
    store = make_store(database_url)
    yield store
    store.engine.dispose()


def expected_score(samples, now, settings=SETTINGS):
    return activity_score(samples, now, settings.half_life, settings.retention)


def record(store, samples_by_user):
    """Record every user's samples, one tick per distinct timestamp."""
    ticks = {}
    for username, samples in samples_by_user.items():
        for sample in samples:
            ticks.setdefault(sample.timestamp, {})[username] = sample.active
    for at in sorted(ticks):
        store.record_tick(ticks[at], at)


def assert_exact(store, samples_by_user, now, settings=SETTINGS):
    scores = store.scores(now)
    for username, samples in samples_by_user.items():
        expected = expected_score(samples, now, settings)
        if expected is None:
            assert username not in scores
        else:
            assert scores[username].score == pytest.approx(expected, rel=1e-9, abs=0)


def test_a_tick_writes_one_sample_per_user_and_a_repeated_tick_none(store):
    assert store.record_tick({"ada": True, "bob": False}, NOW) == 2
    assert store.record_tick({"ada": True, "bob": False}, NOW) == 0
    assert store.record_tick({"ada": False, "cy": True}, NOW) == 1
    scores = store.scores(NOW)
    assert {name: s.samples for name, s in scores.items()} == {"ada": 1, "bob": 1, "cy": 1}
    assert scores["ada"].score == 100.0


def test_scores_equal_the_formula_with_gaps_and_future_samples(store):
    rng = random.Random(7)
    samples_by_user = {}
    for number in range(12):
        samples = []
        at = NOW - timedelta(days=9)
        # Some samples before the window, gaps of up to a day, a few from the future.
        while at < NOW + timedelta(hours=6):
            samples.append(Sample(at, active=rng.random() < 0.05 + 0.08 * number))
            at += timedelta(minutes=20 if rng.random() < 0.97 else rng.randint(60, 1440))
        samples_by_user[f"user{number}"] = samples
    assert sum(map(len, samples_by_user.values())) > 3000
    record(store, samples_by_user)
    assert_exact(store, samples_by_user, NOW)
    assert_exact(store, samples_by_user, NOW + timedelta(hours=3))


def test_a_sample_from_the_far_future_counts_with_age_zero(store):
    samples = [Sample(NOW - timedelta(hours=h), active=False) for h in range(48)]
    samples.append(Sample(NOW + timedelta(days=3650), active=True))
    record(store, {"skewed": samples})
    score = store.scores(NOW)["skewed"].score
    assert score == pytest.approx(expected_score(samples, NOW), rel=1e-9)
    assert score > 1.0


def test_totals_stay_exact_over_many_prunes(store):
    samples_by_user = {"ada": [], "bob": [], "cy": []}
    start = NOW - timedelta(days=12)
    for hour in range(12 * 24):
        at = start + timedelta(hours=hour)
        ticks = {"ada": hour % 3 == 0, "bob": hour % 24 < 8}
        if hour < 24:  # cy stops early: their samples all expire
            ticks["cy"] = True
        for username, active in ticks.items():
            samples_by_user[username].append(Sample(at, active))
        store.record_tick(ticks, at)
        if hour % 6 == 0:
            assert_exact(store, samples_by_user, at)
    assert_exact(store, samples_by_user, NOW)
    assert "cy" not in store.scores(NOW)


def test_a_user_without_samples_has_no_score_not_zero(store):
    assert store.scores(NOW) == {}
    store.record_tick({"ada": False}, NOW)
    scores = store.scores(NOW, usernames=["ada", "newcomer"])
    assert scores["ada"].score == 0.0
    assert scores["ada"].level is ActivityLevel.INACTIVE
    assert scores["newcomer"].score is None
    assert scores["newcomer"].level is None
    assert not scores["newcomer"].enough_data


@pytest.mark.parametrize(
    ("hours", "enough"),
    [pytest.param(5, False, id="five-hours"), pytest.param(24, True, id="a-day")],
)
def test_under_24_hours_of_samples_is_not_enough_data(store, hours, enough):
    for hour in range(hours + 1):
        store.record_tick({"ada": True}, NOW - timedelta(hours=hour))
    score = store.scores(NOW)["ada"]
    assert score.enough_data is enough
    assert score.hours_collected == pytest.approx(hours)
    assert score.last_sample == NOW


def test_gaps_in_sampling_do_not_lower_a_score(store):
    for hour in [*range(10), *range(40, 50)]:
        store.record_tick({"ada": True}, NOW - timedelta(hours=hour))
    score = store.scores(NOW)["ada"]
    assert score.score == 100.0
    assert score.percentage == 100.0
    assert score.level is ActivityLevel.VERY_HIGH


def test_timestamps_come_back_aware_utc(store):
    store.record_tick({"ada": True}, NOW.astimezone(UTC))
    with Session(store.engine) as session:
        stored = session.scalars(select(ActivitySample)).one()
    assert stored.timestamp == NOW
    assert stored.timestamp.tzinfo is UTC
    assert store.scores(NOW)["ada"].last_sample.tzinfo is UTC


def test_naive_timestamps_are_refused(store):
    with pytest.raises(ValueError, match="timezone-aware"):
        store.record_tick({"ada": True}, NOW.replace(tzinfo=None))


def test_rename_moves_samples_in_the_callers_transaction(store):
    samples = [Sample(NOW - timedelta(hours=h), active=h % 2 == 0) for h in range(30)]
    record(store, {"old": samples, "new": [Sample(NOW - timedelta(days=1), active=True)]})
    with Session(store.engine) as session:
        assert store.rename_user("old", "new", using=session) == 30
        session.rollback()
    assert set(store.scores(NOW)) == {"old", "new"}
    with Session(store.engine) as session, session.begin():
        store.rename_user("old", "new", using=session)
    scores = store.scores(NOW)
    assert set(scores) == {"new"}
    assert scores["new"].samples == 30
    assert scores["new"].score == pytest.approx(expected_score(samples, NOW), rel=1e-9)


def test_delete_removes_only_that_users_samples(store):
    store.record_tick({"ada": True, "bob": True}, NOW)
    assert store.delete_user("ada") == 1
    assert set(store.scores(NOW)) == {"bob"}
    assert store.delete_user("ada") == 0


def test_a_created_user_starts_with_one_inactive_sample(store):
    with store.engine.begin() as connection:
        assert store.add_user("ada", NOW, using=connection) == 1
    score = store.scores(NOW)["ada"]
    assert (score.score, score.samples, score.enough_data) == (0.0, 1, False)


def test_prune_removes_samples_older_than_retention_for_everyone(store):
    for days in (0, 6, 8, 30):
        store.record_tick({"ada": True, "bob": False}, NOW - timedelta(days=days))
    assert store.prune(NOW) == 4
    assert store.prune(NOW) == 0
    scores = store.scores(NOW)
    assert {name: s.samples for name, s in scores.items()} == {"ada": 2, "bob": 2}
    assert scores["ada"].hours_collected == pytest.approx(6 * 24)


def test_reset_removes_everything(store):
    store.record_tick({"ada": True, "bob": False}, NOW)
    store.reset()
    assert store.scores(NOW) == {}
    store.record_tick({"ada": True}, NOW)
    assert store.scores(NOW)["ada"].score == 100.0


def _all_at_once(actions):
    """Run every action in its own thread, released together; return what they raised."""
    start = threading.Barrier(len(actions))
    failures = []

    def run(action):
        start.wait()
        try:
            action()
        except Exception as error:  # noqa: BLE001 - every failure is the finding
            failures.append(error)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_the_first_readers_after_a_reset_share_one_frame(store):
    # After a reset every reader finds no state; a sampler's tick and the
    # activity page's refreshes then create it at once. Exactly one may win,
    # and nobody may fail or lose the tick.
    for _ in range(10):
        store.record_tick({"ada": True}, NOW - timedelta(minutes=10))
        store.reset()
        readers = [lambda: store.scores(NOW)] * 5
        assert _all_at_once([*readers, lambda: store.record_tick({"bob": True}, NOW)]) == []
        scores = store.scores(NOW)
        assert set(scores) == {"bob"}
        assert (scores["bob"].samples, scores["bob"].score) == (1, 100.0)


def test_a_changed_half_life_rebuilds_the_totals(store, database_url):
    samples = [Sample(NOW - timedelta(hours=h), active=h < 20) for h in range(100)]
    record(store, {"ada": samples})
    assert_exact(store, {"ada": samples}, NOW)
    faster = ActivitySettings(half_life_hours=6)
    other = make_store(database_url, faster)
    assert_exact(other, {"ada": samples}, NOW, faster)
    other.engine.dispose()


def test_totals_are_rebased_before_their_factors_grow_too_large(store, database_url):
    short = ActivitySettings(half_life_hours=1, retention_days=1)
    short_store = make_store(database_url, short)
    samples = []
    for hour in range(0, 700, 2):
        at = NOW + timedelta(hours=hour)
        samples.append(Sample(at, active=hour % 3 == 0))
        short_store.record_tick({"ada": hour % 3 == 0}, at)
    end = NOW + timedelta(hours=700)
    assert_exact(short_store, {"ada": samples}, end, short)
    with Session(short_store.engine) as session:
        reference = session.scalars(select(ActivityState.reference)).one()
    assert reference > NOW + timedelta(hours=256)
    short_store.engine.dispose()


def test_daily_history_is_active_hours_per_day_oldest_first(store):
    for minutes in range(0, 24 * 60, 10):  # the last day: the first six hours active
        store.record_tick({"ada": minutes < 6 * 60}, NOW - timedelta(minutes=minutes))
    for minutes in range(0, 120, 10):  # four days ago: two hours
        store.record_tick({"ada": True, "bob": True}, NOW - timedelta(days=4, minutes=minutes))
    history = store.daily_history(NOW)
    assert history["ada"] == pytest.approx((0, 0, 2, 0, 0, 0, 6))
    assert history["bob"] == pytest.approx((0, 0, 2, 0, 0, 0, 0))
    assert set(store.daily_history(NOW, username="bob")) == {"bob"}


def assert_same_history(actual, expected):
    assert set(actual) == set(expected)
    for name, hours in expected.items():
        assert actual[name] == pytest.approx(hours), name


def daily_from_rows(store, now):
    """The daily history recomputed from every stored sample: what the counts must equal."""
    days = SETTINGS.retention_days
    with store.engine.connect() as connection:
        rows = connection.execute(select(ActivitySample)).all()
    history = {}
    for row in rows:
        ago = (now.date() - row.timestamp.date()).days
        if row.active and ago < days:
            hours = history.setdefault(row.username, [0.0] * days)
            hours[days - 1 - max(ago, 0)] += SETTINGS.sample_interval_minutes / 60
    return {name: tuple(hours) for name, hours in history.items()}


def test_daily_counts_follow_prunes_renames_deletes_and_a_rebuild(store, database_url):
    rng = random.Random(7)
    for tick in range(10 * 24 * 6):  # ten days of ticks, three users
        at = NOW - timedelta(minutes=10 * tick)
        store.record_tick({name: rng.random() < 0.3 for name in ("ada", "bob", "cy")}, at)
    store.prune(NOW)
    assert_same_history(store.daily_history(NOW), daily_from_rows(store, NOW))

    store.rename_user("ada", "ada2")
    store.delete_user("bob")
    history = store.daily_history(NOW)
    assert set(history) == {"ada2", "cy"}
    assert_same_history(history, daily_from_rows(store, NOW))

    # Another half-life rebuilds the totals and, with them, the daily counts.
    rebuilt = make_store(database_url, ActivitySettings(half_life_hours=24))
    rebuilt.scores(NOW)
    assert_same_history(rebuilt.daily_history(NOW), history)
    rebuilt.engine.dispose()


def test_the_daily_history_ends_with_todays_utc_day(tmp_path):
    settings = ActivitySettings(retention_days=2)
    store = ActivityStore(f"sqlite:///{tmp_path / 'activity.sqlite'}", settings)
    migrate(store.engine, HISTORY)
    midnight = datetime(2026, 11, 26, tzinfo=UTC)
    store.record_tick({"ada": True}, midnight - timedelta(minutes=10))  # yesterday
    store.record_tick({"ada": True}, midnight)  # today, 00:00
    store.record_tick({"ada": True}, midnight + timedelta(days=3))  # a wrong clock: counts today
    assert store.daily_history(midnight + timedelta(hours=1)) == {
        "ada": pytest.approx((1 / 6, 2 / 6))
    }


def test_last_tick_is_the_newest_recorded_tick_and_a_reset_clears_it(store):
    assert store.last_tick() is None
    store.record_tick({"ada": True}, NOW)
    store.record_tick({"ada": True}, NOW - timedelta(hours=1))  # a late, older tick
    store.add_user("bob", NOW + timedelta(hours=1))  # lifecycle samples are not ticks
    assert store.last_tick() == NOW
    store.reset()
    assert store.last_tick() is None


def test_rebuild_takes_in_samples_written_around_the_store(store):
    store.record_tick({"ada": True}, NOW - timedelta(hours=1))
    with store.engine.begin() as connection:
        connection.execute(
            ActivitySample.__table__.insert(),
            [{"username": "bob", "timestamp": NOW - timedelta(minutes=10), "active": True}],
        )
    assert "bob" not in store.scores(NOW)
    store.rebuild(NOW)
    scores = store.scores(NOW)
    assert scores["bob"].score == pytest.approx(100.0)
    assert scores["ada"].score == pytest.approx(100.0)
    assert store.daily_history(NOW)["bob"] == pytest.approx((0,) * 6 + (1 / 6,))


def test_samples_found_without_a_state_are_counted_by_the_first_reader(store):
    # A bulk load, or a database restored without the state row: the first
    # reader claims the state and builds the totals from the rows. On
    # PostgreSQL the claim read its INSERT's rowcount, which SQLAlchemy gives
    # as -1 there, so the totals were never built and every score was missing.
    with store.engine.begin() as connection:
        connection.execute(
            ActivitySample.__table__.insert(),
            [
                {"username": "ada", "timestamp": NOW - timedelta(minutes=10), "active": True},
                {"username": "ada", "timestamp": NOW - timedelta(minutes=20), "active": False},
            ],
        )
    samples = {
        "ada": [
            Sample(NOW - timedelta(minutes=20), active=False),
            Sample(NOW - timedelta(minutes=10), active=True),
        ]
    }
    assert_exact(store, samples, NOW)
    assert set(store.scores(NOW)) == {"ada"}


def test_a_large_prune_commits_in_short_batches_and_stays_exact(store):
    # A hub down for longer than the retention window finds every sample
    # expired; one transaction deleting them all held SQLite's write lock
    # past JupyterHub's own writers' patience ("database is locked" at start).
    store.prune_batch = 50
    old = NOW - SETTINGS.retention - timedelta(hours=1)
    users = [f"user{i}" for i in range(7)]
    samples = {user: [] for user in users}
    for tick in range(40):  # 7 users share each timestamp: 280 expired samples
        at = old - timedelta(minutes=10 * tick)
        for i, user in enumerate(users):
            samples[user].append(Sample(at, active=(tick + i) % 3 == 0))
    fresh = NOW - timedelta(hours=2)
    samples["user0"].append(Sample(fresh, active=True))
    record(store, samples)
    commits = []
    event.listen(store.engine, "commit", lambda _connection: commits.append(1))

    assert store.prune(NOW) == 280

    assert len(commits) >= 280 // 50
    remaining = {"user0": [Sample(fresh, active=True)]}
    assert_exact(store, remaining, NOW)
    assert set(store.scores(NOW)) == {"user0"}


def test_a_batch_always_progresses_when_one_tick_holds_more_samples_than_a_batch(store):
    store.prune_batch = 3
    old = NOW - SETTINGS.retention - timedelta(hours=1)
    store.record_tick({f"user{i}": True for i in range(10)}, old)
    store.record_tick({f"user{i}": False for i in range(10)}, old - timedelta(minutes=10))

    assert store.prune(NOW) == 20
    assert store.scores(NOW) == {}


def test_a_prune_leaves_sqlites_write_lock_free_between_batches(tmp_path):
    # SQLite locks the whole file for a writer: batches back to back kept the
    # hub's own writers waiting past their busy timeout ("database is locked"
    # at start after a downtime). Between two batches the lock stays free
    # longer than SQLite's busy handler waits between two tries (100 ms).
    store = make_store(f"sqlite:///{tmp_path / 'activity.sqlite'}")
    store.prune_batch = 20
    old = NOW - SETTINGS.retention - timedelta(hours=1)
    for tick in range(6):
        store.record_tick({f"user{i}": True for i in range(10)}, old - timedelta(minutes=10 * tick))
    spans = []
    event.listen(store.engine, "begin", lambda _connection: spans.append([time.monotonic()]))
    event.listen(store.engine, "commit", lambda _connection: spans[-1].append(time.monotonic()))

    assert store.prune(NOW) == 60

    gaps = [begin - end for (_, end), (begin, _) in itertools.pairwise(spans)]
    assert len(gaps) >= 2
    assert min(gaps) >= 0.1, gaps
    assert store.scores(NOW) == {}
    store.engine.dispose()


def short_lived_samples(store, hours):
    """Record a sample every two hours at NOW + *hours*; return them."""
    samples = []
    for hour in hours:
        at = NOW + timedelta(hours=hour)
        samples.append(Sample(at, active=hour % 3 == 0))
        store.record_tick({"ada": hour % 3 == 0}, at)
    return samples


def test_a_rebase_after_a_downtime_prunes_then_scales_the_totals(database_url, monkeypatch):
    # Summing every sample again in the rebase held SQLite's write lock for as
    # long as it read them all; the same factor for every sample scales instead.
    short = ActivitySettings(half_life_hours=1, retention_days=1)
    store = make_store(database_url, short)
    short_lived_samples(store, range(0, 20, 2))
    kept = short_lived_samples(store, range(240, 255, 2))

    def no_rebuild(*_args):
        raise AssertionError("the totals were summed again from every sample")

    monkeypatch.setattr(store, "_rebuild", no_rebuild)
    end = NOW + timedelta(hours=258)  # 258 half-lives past the reference: rebased
    assert_exact(store, {"ada": kept}, end, short)
    with Session(store.engine) as session:
        assert session.scalars(select(ActivityState.reference)).one() == end
    kept += short_lived_samples(store, range(260, 270, 2))
    assert_exact(store, {"ada": kept}, NOW + timedelta(hours=270), short)
    store.engine.dispose()


def test_a_rebase_sums_samples_again_when_a_far_future_factor_was_capped(database_url):
    short = ActivitySettings(half_life_hours=1, retention_days=1)
    store = make_store(database_url, short)
    samples = short_lived_samples(store, range(0, 200, 2))
    future = NOW + timedelta(hours=2000)  # past 600 half-lives: its factor is capped
    store.record_tick({"ada": True}, future)
    samples.append(Sample(future, active=True))
    samples += short_lived_samples(store, range(200, 300, 2))  # rebased at 258 hours
    assert_exact(store, {"ada": samples}, NOW + timedelta(hours=300), short)
    store.engine.dispose()


def test_a_page_reads_the_scores_and_history_of_its_users_alone(store):
    samples = {
        name: [Sample(NOW - timedelta(minutes=10 * i), i % 2 == 0) for i in range(12)]
        for name in ("ada", "bob", "cy")
    }
    record(store, samples)
    everyone = store.scores(NOW)
    page = store.scores(NOW, ["bob", "nobody"], only=True)
    assert set(page) == {"bob", "nobody"}
    assert page["bob"] == everyone["bob"]
    assert page["nobody"].score is None
    assert set(store.daily_history(NOW, usernames=["ada", "cy"])) == {"ada", "cy"}
    assert store.daily_history(NOW, usernames=[]) == {}
