"""The login page, rewritten so that it runs on JupyterHub 5 and 6.

NativeAuthenticator 1.3's own login handler uses ``self.statsd`` (removed in
JupyterHub 6) and a ``_render`` that rejects the keyword arguments JupyterHub
passes, so nobody can log in on JupyterHub 6. This handler keeps
NativeAuthenticator's template and its "not authorised yet" message, and
leaves the rest to JupyterHub's own login handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jupyterhub.handlers.login import LoginHandler as CoreLoginHandler
from nativeauthenticator.handlers import LocalBase
from tornado.escape import url_escape
from tornado.httputil import url_concat

if TYPE_CHECKING:
    from collections.abc import Awaitable


class LoginHandler(CoreLoginHandler, LocalBase):  # type: ignore[misc]
    """``/hub/login`` with NativeAuthenticator's form."""

    def _render(
        self, login_error: str | None = None, username: str | None = None, **kwargs: Any
    ) -> Awaitable[str]:
        next_url = self.get_argument("next", default="")
        return self.render_template(  # type: ignore[no-any-return]
            "native-login.html",
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
        pending = await self.authenticator.is_pending_approval(username, data.get("password", ""))
        error = (
            f"User {username} has not been authorized by an administrator yet."
            if pending
            else "Invalid username or password."
        )
        self.set_status(403)
        self.finish(await self._render(login_error=error, username=username))
