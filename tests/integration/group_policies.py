"""Group policies as the integration tests set them: written to the hub's database, as the API does.

The tests write policies with the store's own ``save_policy``, in the
running hub's database, and manage memberships through JupyterHub's groups
API: the hub reads both afresh at each spawn.
"""

from jupyterhub import orm
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from stellars_docker.policy import GroupPolicy, read_policy, record_applied, save_policy


def store_policy(db_url, group, **fields):
    """Save *fields* (a ``GroupPolicy`` as the API takes it) as *group*'s policy; return it stored.

    Written as a full admin's: a policy's Docker access counts only then.
    """
    policy = GroupPolicy.model_validate(fields, strict=False)
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            return save_policy(session, group, policy, by="integration test", by_full_admin=True)
    finally:
        engine.dispose()


def group_with_members(hub, group, *usernames):
    """Create *group* in the hub (if missing) and add the existing users *usernames* to it."""
    response = hub.api("POST", f"groups/{group}")
    assert response.status_code in {201, 409}, response.text
    response = hub.api("POST", f"groups/{group}/users", json={"users": list(usernames)})
    assert response.status_code == 200, response.text


def stored_policy(db_url, group):
    """Return *group*'s policy as stored now (a ``StoredPolicy``), or None."""
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            return read_policy(session, group)
    finally:
        engine.dispose()


def record_start(db_url, username, fingerprint):
    """Record that *username*'s default server started under *fingerprint*, as the hook does."""
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            user_id = session.scalar(select(orm.User.id).where(orm.User.name == username))
            record_applied(session, user_id, "", fingerprint, None)
            session.commit()
    finally:
        engine.dispose()
