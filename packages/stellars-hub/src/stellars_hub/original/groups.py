"""``ensure_groups``: the built-in groups, created in the hub's database before the hub starts.

The original deployment ran this from a start-up script, before JupyterHub.
A hub set up by ``configure()`` needs no such script: it creates the groups
itself at every start (``c.JupyterHub.load_groups``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from jupyterhub import orm

from stellars_hub.settings import load_settings

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session


def ensure_groups(builtin_groups: Iterable[str], db_url: str | None = None) -> list[str]:
    """Create each of *builtin_groups* missing from the hub's database; return those created.

    *db_url* defaults to ``JUPYTERHUB_DB_URL`` (the platform's setting). A
    database that does not exist yet is created with JupyterHub's own
    schema, as the hub would create it. Existing groups and their members
    are left alone.
    """
    url = db_url or load_settings(os.environ).db_url
    session = orm.new_session_factory(url)()
    try:
        return create_missing_groups(session, builtin_groups)
    finally:
        session.close()
        session.get_bind().dispose()


def create_missing_groups(session: Session, names: Iterable[str]) -> list[str]:
    """Create each group of *names* missing from the hub's database *session*; return those.

    Commits only when it created one.
    """
    existing = {name for (name,) in session.query(orm.Group.name)}
    created = [name for name in dict.fromkeys(names) if name not in existing]
    if created:
        session.add_all(orm.Group(name=name) for name in created)
        session.commit()
    return created
