"""Reading the activity samples a hub stored, straight from its database (integration tests)."""

from sqlalchemy import create_engine, select

from stellars_activity import ActivitySample


def samples_in(db_url, username):
    """Return ``(timestamp, active)`` of every sample of *username* in the database at *db_url*."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                select(ActivitySample.timestamp, ActivitySample.active).where(
                    ActivitySample.username == username
                )
            ).all()
    finally:
        engine.dispose()
