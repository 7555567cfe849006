"""When sign-ups applied and how many wait (SQLite and PostgreSQL), and the upgrade adding it."""

from datetime import UTC, datetime, timedelta

import pytest
from nativeauthenticator.orm import Base as AccountsBase
from nativeauthenticator.orm import UserInfo
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from stellars_auth.schema import HISTORY
from stellars_auth.signups import (
    Applied,
    WaitingCount,
    applied_times,
    count_waiting,
    forget_sign_up,
    record_sign_up,
)
from stellars_core.migrations import upgrade

APPLIED = datetime(2026, 12, 6, 9, 41, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


@pytest.fixture
def engine(db_url):
    made = create_engine(db_url)
    yield made
    made.dispose()


def _accounts(engine, **authorized):
    AccountsBase.metadata.create_all(engine)
    with Session(engine) as session:
        for name, is_authorized in authorized.items():
            session.add(UserInfo(username=name, password=b"x", is_authorized=is_authorized))
        session.commit()


def test_applied_says_the_minute_or_before_the_day():
    assert Applied(APPLIED, exact=True).label() == "2026-12-06 09:41 UTC"
    assert Applied(APPLIED, exact=False).label() == "before 2026-12-06"


def test_a_recorded_sign_up_comes_back_aware_and_a_forgotten_one_not_at_all(engine, db_url):
    upgrade(db_url, [HISTORY])
    with Session(engine) as session:
        record_sign_up(session, "ada", APPLIED)
        record_sign_up(session, "bo", APPLIED)
        session.commit()
        # Signing up again under a name (after a discard) replaces the time.
        record_sign_up(session, "bo", APPLIED + timedelta(days=1))
        forget_sign_up(session, "ada")
        session.commit()
        assert applied_times(session, ["ada", "bo", "cy"]) == {
            "bo": Applied(APPLIED + timedelta(days=1), exact=True)
        }
        assert applied_times(session, []) == {}


def test_the_waiting_count_is_one_count_of_unauthorised_accounts(engine, db_url):
    _accounts(engine, ada=False, bo=True, cy=False)
    with Session(engine) as session:
        assert count_waiting(session) == 2


def test_the_count_is_reused_for_its_time_to_live_and_counted_anew_when_forgotten(engine):
    _accounts(engine, ada=False)
    now = [100.0]
    waiting = WaitingCount(ttl_s=5.0, clock=lambda: now[0])
    with Session(engine) as session:
        assert waiting.count(session) == 1
        session.add(UserInfo(username="bo", password=b"x", is_authorized=False))
        session.commit()
        now[0] += 4.9
        assert waiting.count(session) == 1
        now[0] += 0.2
        assert waiting.count(session) == 2
        session.add(UserInfo(username="cy", password=b"x", is_authorized=False))
        session.commit()
        waiting.forget()
        assert waiting.count(session) == 3


def test_the_upgrade_dates_the_accounts_already_waiting_before_it(engine, db_url):
    # A database of the previous release: accounts, no stellars_signups.
    _accounts(engine, ada=False, bo=True, cy=False)
    upgrade(db_url, [HISTORY])
    after = datetime.now(UTC)
    with Session(engine) as session:
        times = applied_times(session, ["ada", "bo", "cy"])
    assert set(times) == {"ada", "cy"}
    for applied in times.values():
        assert not applied.exact
        assert after - timedelta(minutes=1) < applied.at <= after
        assert applied.label() == f"before {after:%Y-%m-%d}"


def test_a_new_database_has_no_accounts_to_date(engine, db_url):
    upgrade(db_url, [HISTORY])
    with Session(engine) as session:
        assert applied_times(session, ["ada"]) == {}
