"""The login page, rewritten so that it runs on JupyterHub 5 and 6.

NativeAuthenticator 1.3's own login handler uses ``self.statsd`` (removed in
JupyterHub 6) and a ``_render`` that rejects the keyword arguments JupyterHub
passes, so nobody can log in on JupyterHub 6. This handler keeps
NativeAuthenticator's "not authorised yet" message, says "too many attempts"
(429) while the login throttle holds an attempt back, keeps the username in
the form after a failure, and leaves the rest to JupyterHub's login handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jupyterhub.handlers.login import LoginHandler as CoreLoginHandler
from tornado.escape import url_escape
from tornado.httputil import url_concat

from stellars_auth.authorization import _AuthTemplates

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from stellars_auth.lockout import Refusal

INVALID = "Invalid username or password."


def throttled_message(minutes: int) -> str:
    """Return what the login page says while attempts are held back for *minutes*."""
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many attempts, try again in {minutes} {unit}."


class LoginHandler(CoreLoginHandler, _AuthTemplates):  # type: ignore[misc]
    """``/hub/login`` with this package's form."""

    # Set by the authenticator while it refuses this request's login.
    refusal: Refusal | None = None
    pending: bool = False

    def _render(
        self, login_error: str | None = None, username: str | None = None, **kwargs: Any
    ) -> Awaitable[str]:
        next_url = self.get_argument("next", default="")
        return self.render_template(  # type: ignore[no-any-return]
            "stellars-login.html",
            next=url_escape(next_url),
            username=username,
            login_error=login_error,
            custom_html=self.authenticator.custom_html,
            login_url=self.settings["login_url"],
            enable_signup=self.authenticator.enable_signup,
            two_factor_auth=self.authenticator.allow_2fa,
            authenticator_login_url=url_concat(
                self.authenticator.login_url(self.hub.base_url), {"next": next_url}
            ),
            xsrf=self.xsrf_token.decode("ascii"),
            **kwargs,
        )

    async def post(self) -> None:
        """Log the user in, or re-render the form saying why not."""
        data = {
            name: self.get_argument(name, strip=name == "username")
            for name in self.request.body_arguments
            if name != "_xsrf"
        }
        user = await self.login_user(data)
        if user:
            self._jupyterhub_user = user
            self.redirect(self.get_next_url(user))
            return
        username = data.get("username", "")
        if self.refusal is not None:
            # Known and unknown names answer alike: nothing was checked.
            self.set_status(429)
            self.set_header("Retry-After", str(int(self.refusal.retry_after_s) + 1))
            error = throttled_message(self.refusal.minutes)
        elif self.pending:
            self.set_status(403)
            # Said only to whoever typed the right password (see authenticate):
            # a stranger cannot learn that a name is waiting.
            error = (
                f"User {username} has not been authorized by an administrator yet: "
                "you can log in once an administrator approves the account."
            )
        else:
            self.set_status(403)
            error = INVALID
        self.finish(await self._render(login_error=error, username=username))
