"""Every hub admin holds the platform's admin role, and nobody else does.

JupyterHub refuses any change to its ``admin`` role, so the platform's own
admin scopes come in a role of their own (``stellars-admin``). That role
must follow JupyterHub's admin flag wherever it changes: the admin page and
``PATCH /hub/api/users/{name}`` (``{"admin": true}``), ``POST`` of a new
admin, and ``c.Authenticator.admin_users`` at start. :class:`PlatformAdmins`
keeps it in step:

- a ``before_flush`` listener grants or strips the role in the same flush
  that changes a user's flag (or creates a user);
- :meth:`PlatformAdmins.sync` makes the role's users exactly the admins,
  once the hub has loaded its configuration: it catches changes made while
  the listener was not installed (another version, a script on the database).

The role is declared without a ``users`` list: JupyterHub's
``init_role_assignment`` would otherwise set its members to that list at
every start, revoking runtime admins. Delegating single platform scopes to
non-admins goes through roles of their own, which this never touches.
"""

from __future__ import annotations

import logging
from itertools import chain
from typing import Any

from jupyterhub import orm
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class PlatformAdmins:
    """Keep the role named *role_name* held by exactly the hub's admins."""

    def __init__(self, role_name: str) -> None:
        self.role_name = role_name

    def install(self) -> None:
        """Start following admin flags as they change; a second call does nothing."""
        if not event.contains(Session, "before_flush", self._before_flush):
            event.listen(Session, "before_flush", self._before_flush)

    def uninstall(self) -> None:
        """Stop following admin flags; a second call does nothing."""
        if event.contains(Session, "before_flush", self._before_flush):
            event.remove(Session, "before_flush", self._before_flush)

    def sync(self, session: Session) -> tuple[list[str], list[str]]:
        """Give the role to every admin and take it from everyone else; commit.

        Returns the names it was given to and taken from.

        Raises:
            LookupError: the role does not exist in the hub's database.
        """
        role = self._role(session)
        if role is None:
            raise LookupError(f"no role {self.role_name!r} in the hub's database")
        given: list[str] = []
        taken: list[str] = []
        for user in session.query(orm.User):
            if self._follow(role, user):
                (given if user.admin else taken).append(user.name)
        session.commit()
        if given or taken:
            log.info("role %s given to %s, taken from %s", self.role_name, given, taken)
        return given, taken

    def _role(self, session: Session) -> Any:
        with session.no_autoflush:
            return session.query(orm.Role).filter_by(name=self.role_name).one_or_none()

    def _follow(self, role: Any, user: Any) -> bool:
        holds = role in user.roles
        if user.admin and not holds:
            user.roles.append(role)
            return True
        if not user.admin and holds:
            user.roles.remove(role)
            return True
        return False

    def _before_flush(self, session: Session, _context: Any, _instances: Any) -> None:
        changed = [
            user
            for user in chain(session.new, session.dirty)
            if isinstance(user, orm.User)
            and (user in session.new or inspect(user).attrs.admin.history.has_changes())
        ]
        if not changed:
            return
        role = self._role(session)
        if role is None:  # before JupyterHub created the roles: sync() catches up
            return
        with session.no_autoflush:
            for user in changed:
                if self._follow(role, user):
                    log.info(
                        "role %s %s %s (admin: %s)",
                        self.role_name,
                        "given to" if user.admin else "taken from",
                        user.name,
                        user.admin,
                    )
