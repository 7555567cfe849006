"""``POST /hub/api/admin/credentials``: the passphrases of accounts an admin has just created."""

from __future__ import annotations

from stellars_auth import shown, take_credentials
from stellars_ui.handlers.base import StellarsAPIHandler
from stellars_ui.models.accounts import Credential, Credentials, CredentialsRequest
from stellars_ui.scopes import READ_CREDENTIALS


class CredentialsHandler(StellarsAPIHandler):
    """POST ``{"usernames": [...]}``: each cached passphrase, once; the rest unavailable."""

    async def post(self) -> None:
        """Answer ``{"credentials": [{username, password}], "unavailable": [...], "lost": [...]}``.

        Never cached by a browser or a proxy (``Cache-Control: no-store``).
        """
        self.require_scope(READ_CREDENTIALS)
        usernames = self.body(CredentialsRequest).usernames
        taken = take_credentials(self.authenticator, usernames)
        self.set_header("Cache-Control", "no-store")
        self.log.info(
            "%s read %d generated passphrase(s)",
            shown(self.current_user.name),
            len(taken.passwords),
        )
        self.answer(
            Credentials(
                credentials=[
                    Credential(username=name, password=password)
                    for name, password in taken.passwords.items()
                ],
                unavailable=list(taken.unavailable),
                lost=list(taken.lost),
            )
        )

    def write_error(self, status_code: int, **kwargs: object) -> None:
        """Errors are never cached either."""
        self.set_header("Cache-Control", "no-store")
        super().write_error(status_code, **kwargs)
