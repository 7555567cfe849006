"""``POST /hub/api/admin/credentials``: the passphrases of accounts an admin has just created."""

from __future__ import annotations

from http import HTTPStatus

from tornado import web

from stellars_auth import shown, take_credentials
from stellars_ui.handlers.base import StellarsAPIHandler
from stellars_ui.scopes import READ_CREDENTIALS

# A batch from the admin page is a few dozen names; this bounds the work of one request.
MAX_USERNAMES = 1000


class CredentialsHandler(StellarsAPIHandler):
    """POST ``{"usernames": [...]}``: each cached passphrase, once; the rest unavailable."""

    async def post(self) -> None:
        """Answer ``{"credentials": [{username, password}], "unavailable": [names]}``.

        Never cached by a browser or a proxy (``Cache-Control: no-store``).
        """
        self.require_scope(READ_CREDENTIALS)
        usernames = self.json_object({"usernames"}).get("usernames")
        if not isinstance(usernames, list) or not all(isinstance(n, str) for n in usernames):
            raise web.HTTPError(HTTPStatus.BAD_REQUEST, "usernames must be a list of strings.")
        if len(usernames) > MAX_USERNAMES:
            raise web.HTTPError(
                HTTPStatus.BAD_REQUEST, f"At most {MAX_USERNAMES} usernames at a time."
            )
        taken = take_credentials(self.authenticator, usernames)
        self.set_header("Cache-Control", "no-store")
        self.log.info(
            "%s read %d generated passphrase(s)",
            shown(self.current_user.name),
            len(taken.passwords),
        )
        self.finish(
            {
                "credentials": [
                    {"username": name, "password": password}
                    for name, password in taken.passwords.items()
                ],
                "unavailable": taken.unavailable,
            }
        )

    def write_error(self, status_code: int, **kwargs: object) -> None:
        """Errors are never cached either."""
        self.set_header("Cache-Control", "no-store")
        super().write_error(status_code, **kwargs)
