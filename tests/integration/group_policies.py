"""Group policies as the integration tests set them: written to the hub's database, as the API does.

The tests write policies with the store's own ``save_policy``, in the
running hub's database, and manage memberships through JupyterHub's groups
API: the hub reads both afresh at each spawn.
"""

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from stellars_docker.policy import GroupPolicy, save_policy


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
