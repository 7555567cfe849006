"""The authorization area (``/hub/authorize``): who signed up and who may log in.

NativeAuthenticator changes an account on a plain GET (``/authorize/<name>``
toggles, ``/discard/<name>`` deletes), so a link in an e-mail or an image on
any page could do it with an admin's cookie. Here every change is a POST
form with JupyterHub's XSRF token; a GET of those paths changes nothing.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import ChoiceLoader, FileSystemLoader
from jupyterhub import orm
from jupyterhub.scopes import needs_scope
from nativeauthenticator.handlers import LocalBase
from nativeauthenticator.orm import UserInfo
from tornado import web
from tornado.escape import url_escape

from stellars_auth.look_alikes import look_alikes_of
from stellars_auth.signups import Applied, applied_times, forget_sign_up
from stellars_auth.usernames import shown

if TYPE_CHECKING:
    from collections.abc import Iterable

TEMPLATE_DIR = str(Path(__file__).parent / "templates")
AUTHORIZE = "authorize"
UNAUTHORIZE = "unauthorize"
# Shown for a sign-up whose time was never recorded (made by another path).
UNKNOWN_TIME = "unknown"


class _AuthTemplates(LocalBase):  # type: ignore[misc]
    """Puts this package's templates first in the hub's template search path, once."""

    _registered = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not _AuthTemplates._registered:
            env = self.settings["jinja2_env"]
            env.loader = ChoiceLoader([FileSystemLoader([TEMPLATE_DIR]), env.loader])
            _AuthTemplates._registered = True


def pending_and_authorized(
    accounts: Iterable[Any],
    hub_users: set[str],
    applied: dict[str, Applied] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split NativeAuthenticator's accounts into pending sign-ups and authorised users.

    Each entry is ``{"username", "email", "has_2fa", "discardable",
    "applied"}``; only a pending sign-up that is not a hub user yet may be
    discarded (a hub user is deleted from the admin page, with their servers
    and data). ``applied`` says when a pending sign-up applied, from
    *applied* (``"unknown"`` without a row; empty for authorised users).
    """
    times = applied or {}
    pending: list[dict[str, Any]] = []
    authorized: list[dict[str, Any]] = []
    for account in sorted(accounts, key=lambda a: a.username):
        when = times.get(account.username)
        entry = {
            "username": account.username,
            "email": account.email,
            "has_2fa": bool(account.has_2fa),
            "discardable": not account.is_authorized and account.username not in hub_users,
            "applied": "",
        }
        if not account.is_authorized:
            entry["applied"] = when.label() if when is not None else UNKNOWN_TIME
        (authorized if account.is_authorized else pending).append(entry)
    return pending, authorized


class AuthorizationAreaHandler(_AuthTemplates):
    """GET ``/hub/authorize``: pending sign-ups and authorised users, with POST forms."""

    @needs_scope("admin:users")  # type: ignore[untyped-decorator]
    async def get(self) -> None:
        """Render the area."""
        hub_users = {name for (name,) in self.db.query(orm.User.name)}
        accounts = list(self.db.query(UserInfo))
        waiting = [account.username for account in accounts if not account.is_authorized]
        pending, authorized = pending_and_authorized(
            accounts, hub_users, applied_times(self.db, waiting)
        )
        names = hub_users | {account.username for account in accounts}
        # Every sign-up against every name: pure work on plain strings, off the event loop.
        similar = await asyncio.to_thread(look_alikes_of, waiting, names)
        html = await self.render_template(
            "stellars-authorization-area.html",
            pending=pending,
            similar=similar,
            authorized=authorized,
            ask_email=self.authenticator.ask_email_on_signup,
            admin_names=set(self.authenticator.admin_users),
            xsrf=self.xsrf_token.decode("ascii"),
        )
        self.finish(html)


class ToggleAuthorizationHandler(_AuthTemplates):
    """POST ``/hub/authorize/<name>`` with ``action=authorize|unauthorize``."""

    @needs_scope("admin:users")  # type: ignore[untyped-decorator]
    async def get(self, user_name: str) -> None:
        """Change nothing: the old GET link leads back to the user's row in the area."""
        self.redirect(f"{self.hub.base_url}authorize#{url_escape(user_name)}")

    @needs_scope("admin:users")  # type: ignore[untyped-decorator]
    async def post(self, user_name: str) -> None:
        """Authorise or unauthorise *user_name*'s account, then show the area again."""
        action = self.get_body_argument("action", "")
        if action not in {AUTHORIZE, UNAUTHORIZE}:
            raise web.HTTPError(HTTPStatus.BAD_REQUEST, "action must be authorize or unauthorize")
        account = UserInfo.find(self.db, user_name)
        if account is None:
            raise web.HTTPError(HTTPStatus.NOT_FOUND, f"No account {user_name!r}.")
        if action == UNAUTHORIZE and user_name in self.authenticator.admin_users:
            raise web.HTTPError(HTTPStatus.CONFLICT, "The platform's admin cannot be unauthorized.")
        account.is_authorized = action == AUTHORIZE
        self.db.commit()
        self.authenticator.waiting.forget()
        self.log.info("%s: %s %s", shown(self.current_user.name), action, shown(user_name))
        self.redirect(self.hub.base_url + "authorize")


class DiscardHandler(_AuthTemplates):
    """POST ``/hub/discard/<name>``: delete a pending sign-up that is not a hub user."""

    @needs_scope("admin:users")  # type: ignore[untyped-decorator]
    async def get(self, user_name: str) -> None:
        """Change nothing: the old GET link leads back to the user's row in the area."""
        self.redirect(f"{self.hub.base_url}authorize#{url_escape(user_name)}")

    @needs_scope("admin:users")  # type: ignore[untyped-decorator]
    async def post(self, user_name: str) -> None:
        """Discard the sign-up, then show the area again; 409 for an authorised or hub user."""
        account = UserInfo.find(self.db, user_name)
        if account is None:
            raise web.HTTPError(HTTPStatus.NOT_FOUND, f"No sign-up {user_name!r}.")
        if account.is_authorized or self.find_user(user_name) is not None:
            raise web.HTTPError(
                HTTPStatus.CONFLICT,
                f"{user_name!r} is authorized or a hub user: delete them from the admin page.",
            )
        self.db.delete(account)
        forget_sign_up(self.db, user_name)
        self.db.commit()
        self.authenticator.waiting.forget()
        self.log.info(
            "%s: discarded the sign-up of %s", shown(self.current_user.name), shown(user_name)
        )
        self.redirect(self.hub.base_url + "authorize")
