"""``POST /hub/api/users/<name>`` held to the username policy.

JupyterHub's handler for one user creates the user from the path as given,
without ``normalize_username`` or ``validate_username``, and only then calls
``add_user``; a refusal there becomes "Failed to create user" with the
reason lost. This subclass normalises and checks the name first, so the
400 says why, and leaves every other method of the route to core.
"""

from __future__ import annotations

from jupyterhub.apihandlers import users as core
from jupyterhub.scopes import needs_scope


class UserAPIHandler(core.UserAPIHandler):  # type: ignore[misc]
    """JupyterHub's ``/hub/api/users/<name>`` whose POST checks the new name first."""

    @needs_scope("admin:users")  # type: ignore[untyped-decorator]
    async def post(self, user_name: str) -> None:
        """Create *user_name*, normalised; 400 with the policy's reason when refused."""
        name = self.authenticator.normalize_username(user_name)
        if self.find_user(name) is None:
            # Raises HTTPError(400) naming the reason (see the authenticator).
            self.authenticator.validate_username(name)
        await super().post(name)
