"""Writing and reading group policies straight in a hub's database (integration tests)."""

from jupyterhub import orm
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from stellars_docker.policy import GroupPolicy, read_policy, record_applied, save_policy


def store_policy(db_url, group, policy, *, by="test-harness"):
    """Store *policy* (a dict as the API takes it) as *group*'s in the database at *db_url*."""
    engine = create_engine(db_url)
    try:
        with Session(engine) as db:
            save_policy(
                db,
                group,
                GroupPolicy.model_validate(policy, strict=False),
                by=by,
                by_full_admin=True,
            )
    finally:
        engine.dispose()


def stored_policy(db_url, group):
    """Return *group*'s StoredPolicy in the database at *db_url*, or None."""
    engine = create_engine(db_url)
    try:
        with Session(engine) as db:
            return read_policy(db, group)
    finally:
        engine.dispose()


def record_start(db_url, username, fingerprint):
    """Record that *username*'s default server started under *fingerprint*, as the hook does."""
    engine = create_engine(db_url)
    try:
        with Session(engine) as db:
            user_id = db.scalar(select(orm.User.id).where(orm.User.name == username))
            record_applied(db, user_id, "", fingerprint, None)
            db.commit()
    finally:
        engine.dispose()
