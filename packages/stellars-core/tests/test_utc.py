from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

from stellars_core import UTCDateTime

metadata = MetaData()
moments = Table(
    "moments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime(), nullable=True),
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'moments.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_db_url")
    engine = create_engine(url)
    metadata.create_all(engine)
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


def test_an_aware_moment_comes_back_the_same_instant_in_utc(engine):
    paris = timezone(timedelta(hours=1))
    written = datetime(2026, 12, 5, 21, 30, tzinfo=paris)
    with engine.begin() as connection:
        connection.execute(insert(moments).values(id=1, at=written))
        read = connection.execute(select(moments.c.at)).scalar_one()
    assert read == written
    assert read.tzinfo is not None
    assert read.utcoffset() == timedelta(0)
    assert read.hour == 20


def test_a_naive_moment_is_refused(engine):
    with engine.begin() as connection, pytest.raises(Exception, match="timezone-aware"):
        connection.execute(insert(moments).values(id=1, at=datetime(2026, 12, 5, 21, 30)))  # noqa: DTZ001


def test_null_stays_null(engine):
    with engine.begin() as connection:
        connection.execute(insert(moments).values(id=1, at=None))
        assert connection.execute(select(moments.c.at)).scalar_one() is None


def test_the_schema_is_a_plain_timezone_aware_datetime():
    # Switching a column to this type must change no table.
    column_type = UTCDateTime().impl
    assert column_type.timezone is True
    assert UTCDateTime().load_dialect_impl(create_engine("sqlite://").dialect).timezone is True
