"""Keep NativeAuthenticator's account records in step with JupyterHub's users.

NativeAuthenticator keys its records (``users_info``) by username and knows
nothing of renames: after the admin renames ``ada`` to ``ada2``, ``ada2``
could not log in and ``ada``'s password would still open a brand-new ``ada``.
A listener on ``jupyterhub.orm.User`` moves the record in the hub's own
transaction (the records live in the hub's database), so a rename that is
rolled back leaves it where it was. Deleting a user removes the record
already (``NativeAuthenticator.delete_user``); a created user is an insert,
never mistaken for a rename.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from jupyterhub import orm
from nativeauthenticator.orm import UserInfo
from sqlalchemy import delete, event, inspect, update

from stellars_auth.usernames import shown

if TYPE_CHECKING:
    from sqlalchemy import Connection

log = logging.getLogger(__name__)

_ACCOUNTS = UserInfo.__table__


def _after_update(_mapper: Any, connection: Connection, target: Any) -> None:
    history = inspect(target).attrs.name.history
    if not history.deleted or not history.added:
        return
    old, new = history.deleted[0], history.added[0]
    if old == new:
        return
    # The hub renames only onto a name no hub user has; a record under it is
    # a sign-up that never became a user, and the rename takes the name.
    dropped = connection.execute(delete(_ACCOUNTS).where(_ACCOUNTS.c.username == new)).rowcount
    if dropped:
        log.warning(
            "Renaming %s to %s discarded the sign-up under %s",
            shown(old),
            shown(new),
            shown(new),
        )
    connection.execute(update(_ACCOUNTS).where(_ACCOUNTS.c.username == old).values(username=new))


def keep_accounts_in_step() -> None:
    """Install the rename listener (once per process; calling it again does nothing)."""
    if not event.contains(orm.User, "after_update", _after_update):
        event.listen(orm.User, "after_update", _after_update)
