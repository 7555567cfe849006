"""Writing and reading group policies straight in a hub's database (integration tests)."""

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from stellars_docker.policy import GroupPolicy, applied_policies, read_policy, save_policy


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


def applied(db_url):
    """Return what each server started under: (user id, server) -> AppliedPolicy."""
    engine = create_engine(db_url)
    try:
        with Session(engine) as db:
            return applied_policies(db)
    finally:
        engine.dispose()
