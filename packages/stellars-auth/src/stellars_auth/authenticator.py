"""``StellarsNativeAuthenticator``: NativeAuthenticator made safe for JupyterHub 5 and 6."""

from __future__ import annotations

from typing import Any

from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.orm import UserInfo
from traitlets import Unicode

from stellars_auth.authorization import (
    AuthorizationAreaHandler,
    DiscardHandler,
    ToggleAuthorizationHandler,
)
from stellars_auth.lifecycle import keep_accounts_in_step
from stellars_auth.login import LoginHandler
from stellars_auth.passwords import check_password, generate_password, hash_password


class StellarsNativeAuthenticator(NativeAuthenticator):  # type: ignore[misc]
    """NativeAuthenticator with a JupyterHub 6 login and a first-start admin account.

    Registered as the ``stellars`` entry point of ``jupyterhub.authenticators``.
    """

    initial_admin_password = Unicode(
        "",
        config=True,
        help="""Password given to the admin account the first time it is created.

        Applied once, when the hub creates the admin user; later starts never
        change it. When empty, a password is generated and written once to the log.
        """,
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # A renamed hub user keeps their account (see stellars_auth.lifecycle).
        keep_accounts_in_step()

    def get_handlers(self, app: Any) -> list[tuple[str, Any]]:
        """Return NativeAuthenticator's handlers with ours in place of login and authorization."""
        handlers: list[tuple[str, Any]] = super().get_handlers(app)
        return [(path, _REPLACED.get(path, cls)) for path, cls in handlers]

    def create_user(self, username: str, password: str, **kwargs: Any) -> Any:
        """Create a sign-up's account, never one under the name of a configured admin.

        NativeAuthenticator pre-authorises a sign-up under an admin's name:
        whoever signed up first under a new admin name would own that admin.
        The admin's account is made by the hub itself (see ``add_user``).
        """
        if self.normalize_username(username) in self.admin_users:
            self.log.warning("Refused a sign-up under the admin name %r", username)
            return None
        return super().create_user(username, password, **kwargs)

    async def authenticate(self, handler: Any, data: dict[str, str]) -> str | None:  # noqa: ARG002 - JupyterHub's signature
        """Return the username when the password is right and the account is authorised.

        Same rules as NativeAuthenticator (authorisation, 2FA, lock-out after
        failed logins), with bcrypt run in a worker thread.
        """
        username = self.normalize_username(data.get("username", ""))
        user_info = self.get_user(username)
        if user_info is None:
            return None
        if self.allowed_failed_logins and self.is_blocked(username):
            return None
        password_ok = await check_password(data.get("password", ""), user_info.password)
        token_ok = not user_info.has_2fa or user_info.is_valid_token(data.get("2fa"))
        if user_info.is_authorized and password_ok and token_ok:
            self.successful_login(username)
            return username  # type: ignore[no-any-return]
        self.add_login_attempt(username)
        return None

    async def is_pending_approval(self, username: str, password: str) -> bool:
        """Return whether *username* signed up with *password* but is not authorised yet."""
        user_info = self.get_user(username)
        if user_info is None or user_info.is_authorized:
            return False
        return await check_password(password, user_info.password)

    async def add_user(self, user: Any) -> None:
        """Give a newly created admin user a NativeAuthenticator account.

        JupyterHub calls this for each configured admin the first time it
        creates them, which makes it the one moment to apply the initial
        password: later starts find the account and leave it alone.
        """
        super().add_user(user)
        if user.name not in self.admin_users:
            return
        existing = self.get_user(user.name)
        if existing is not None and existing.is_authorized:
            return  # an account someone was given: it stays as it is
        if existing is not None:
            # A stranger's pending sign-up under a name that has just become
            # the admin's: it must not become the admin's password.
            self.log.warning("Discarding the pending sign-up %r: it is the admin's name", user.name)
            self.db.delete(existing)
            self.db.commit()
        password = self.initial_admin_password
        if not password:
            password = generate_password()
            # Printed once, on the first start, so the operator can log in.
            self.log.warning(
                "Created admin account %r with the generated password: %s", user.name, password
            )
        account = UserInfo(
            username=user.name, password=await hash_password(password), is_authorized=True
        )
        self.db.add(account)
        self.db.commit()


# NativeAuthenticator's routes whose handlers this package replaces.
_REPLACED: dict[str, Any] = {
    r"/login": LoginHandler,
    r"/authorize": AuthorizationAreaHandler,
    r"/authorize/([^/]*)": ToggleAuthorizationHandler,
    r"/discard/([^/]*)": DiscardHandler,
}
