"""Bodies of the credentials endpoint: the passphrases of accounts just created."""

from __future__ import annotations

from pydantic import Field

from stellars_ui.models.common import Contract

# A batch from the admin page is a few dozen names; this bounds the work of one request.
MAX_USERNAMES = 1000


class CredentialsRequest(Contract):
    """The accounts whose passphrases are asked for."""

    usernames: list[str] = Field(max_length=MAX_USERNAMES)


class Credential(Contract):
    """One account's generated passphrase."""

    username: str
    password: str


class Credentials(Contract):
    """The passphrases taken, and the names without one."""

    credentials: list[Credential]
    unavailable: list[str]
    lost: list[str] = Field(
        description="Of the unavailable, those whose password the hub generated but can no "
        "longer show (read before, expired, or the hub restarted): set a new one."
    )
