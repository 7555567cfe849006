"""Sign-up and change-password forms whose bcrypt work runs off the event loop.

NativeAuthenticator hashes and checks passwords on the hub's event loop
(bcrypt takes tens of milliseconds on purpose), so a few sign-ups stall every
other request. These handlers keep its fields and messages and await the
authenticator's ``sign_up``, ``set_password`` and ``passwords.check``
instead, which run bcrypt in its worker threads. Their templates are this
package's (``stellars-signup.html``, ``stellars-change-password.html``):
labels tied to fields, one field width, a show-password control that needs
no emoji font, and a sign-up that says an admin must approve the account.
"""

from __future__ import annotations

from typing import Any

from jupyterhub.scopes import needs_scope
from nativeauthenticator import handlers as native
from tornado import web

from stellars_auth.authorization import _AuthTemplates

TOO_WEAK = "Be sure the password has at least {length} characters and is not too common."
# What a sign-up waiting for approval is told; NativeAuthenticator says only
# "Your information has been sent to the admin".
PENDING = (
    "Your account {name} has been created, but you cannot log in yet: an "
    "administrator must approve it first. Try logging in once they have."
)


class SignUpHandler(native.SignUpHandler, _AuthTemplates):  # type: ignore[misc]
    """GET and POST ``/hub/signup``."""

    async def get(self) -> None:
        """Render the form (404 while sign-up is off)."""
        if not self.authenticator.enable_signup:
            raise web.HTTPError(404)
        self.finish(await self._render())

    def _render(self, **kwargs: Any) -> Any:
        authenticator = self.authenticator
        return self.render_template(
            "stellars-signup.html",
            ask_email=authenticator.ask_email_on_signup,
            two_factor_auth=authenticator.allow_2fa,
            recaptcha_key=authenticator.recaptcha_key,
            tos=authenticator.tos,
            xsrf=self.xsrf_token.decode("ascii"),
            **kwargs,
        )

    async def post(self) -> None:
        """Create a pending account (authorised at once with open sign-up)."""
        authenticator = self.authenticator
        if not authenticator.enable_signup:
            raise web.HTTPError(404)
        if authenticator.recaptcha_key or authenticator.allow_self_approval_for:
            # reCAPTCHA and approval e-mails are NativeAuthenticator's own
            # features (network calls of theirs); kept exactly as they are.
            await super().post()
            return
        username = self.get_body_argument("username", strip=False)
        password = self.get_body_argument("signup_password", strip=False)
        confirmation = self.get_body_argument("signup_password_confirmation", strip=False)
        # A configured admin's name is never free, account or not.
        taken = authenticator.user_exists(username) or (
            authenticator.normalize_username(username) in authenticator.admin_users
        )
        refusal = (
            None
            if taken
            else authenticator.username_refusal(authenticator.normalize_username(username))
        )
        matches = password == confirmation
        account = None
        if not taken and refusal is None and matches:
            account = await authenticator.sign_up(
                username,
                password,
                email=self.get_body_argument("email", "", strip=False),
                has_2fa=bool(self.get_body_argument("2fa", "", strip=False)),
            )
        alert, message = self.get_result_message(
            account,
            assume_user_is_human=True,
            username_already_taken=taken,
            confirmation_matches=matches,
            user_is_admin=False,
        )
        if refusal is not None:
            alert, message = "alert-danger", f"Invalid username: {refusal}."
        elif account is not None and not account.is_authorized:
            alert, message = "alert-info", PENDING.format(name=account.username)
        html = await self._render(
            result_message=message,
            alert=alert,
            # Kept after a refusal, so a typo costs one field, not the form.
            username="" if account else username,
            signed_up=account is not None,
            two_factor_auth_user=account.has_2fa if account else "",
            two_factor_auth_value=account.otp_secret if account else "",
        )
        self.finish(html)


def _weak(authenticator: Any) -> str:
    return "Something went wrong! " + TOO_WEAK.format(length=authenticator.minimum_password_length)


def _change_form(handler: Any, user_name: str, **kwargs: Any) -> Any:
    return handler.render_template(
        "stellars-change-password.html",
        user_name=user_name,
        xsrf=handler.xsrf_token.decode("ascii"),
        **kwargs,
    )


class ChangePasswordHandler(native.ChangePasswordHandler, _AuthTemplates):  # type: ignore[misc]
    """GET and POST ``/hub/change-password``: a user changes their own password."""

    @web.authenticated
    async def get(self) -> None:
        """Render the form."""
        self.finish(await _change_form(self, self.current_user.name))

    @web.authenticated
    async def post(self) -> None:
        """Change the password after checking the current one."""
        user = self.current_user
        old = self.get_body_argument("old_password", strip=False)
        new = self.get_body_argument("new_password", strip=False)
        confirmation = self.get_body_argument("new_password_confirmation", strip=False)
        account = self.authenticator.get_user(user.name)
        alert = "alert-danger"
        if account is None or not await self.authenticator.passwords.check(old, account.password):
            message = "Your current password was incorrect. Please try again."
        elif new != confirmation:
            message = "Your new password didn't match the confirmation. Please try again."
        elif await self.authenticator.set_password(user.name, new):
            alert, message = "alert-success", "Your password has been changed successfully!"
        else:
            message = _weak(self.authenticator)
        html = await _change_form(self, user.name, result_message=message, alert=alert)
        self.finish(html)


class ChangePasswordAdminHandler(native.ChangePasswordAdminHandler, _AuthTemplates):  # type: ignore[misc]
    """GET and POST ``/hub/change-password/<name>``: an admin sets someone's password."""

    @needs_scope("admin:users")  # type: ignore[untyped-decorator]
    async def get(self, user_name: str) -> None:
        """Render the form; 404 for a name without an account."""
        if not self.authenticator.user_exists(user_name):
            raise web.HTTPError(404)
        self.finish(await _change_form(self, user_name, for_someone_else=True))

    @needs_scope("admin:users")  # type: ignore[untyped-decorator]
    async def post(self, user_name: str) -> None:
        """Set *user_name*'s password."""
        new = self.get_body_argument("new_password", strip=False)
        confirmation = self.get_body_argument("new_password_confirmation", strip=False)
        alert = "alert-danger"
        if not self.authenticator.user_exists(user_name):
            raise web.HTTPError(404)
        if new != confirmation:
            message = "The new password didn't match the confirmation. Please try again."
        elif await self.authenticator.set_password(user_name, new):
            alert = "alert-success"
            message = f"The password for {user_name} has been changed successfully"
        else:
            message = _weak(self.authenticator)
        html = await _change_form(
            self, user_name, for_someone_else=True, result_message=message, alert=alert
        )
        self.finish(html)
