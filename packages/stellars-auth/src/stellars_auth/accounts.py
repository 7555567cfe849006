"""What the platform reads about accounts beyond JupyterHub's own users."""

from __future__ import annotations

from typing import Any

from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.orm import UserInfo


def authorization_states(authenticator: Any) -> dict[str, bool] | None:
    """Return ``{username: authorised}`` for every account, in one query.

    None when *authenticator* is not NativeAuthenticator-based: then there is
    no approval step, and whether someone is authorised is not known here.
    Uses the authenticator's database session: call it on the hub's event
    loop thread.
    """
    if not isinstance(authenticator, NativeAuthenticator):
        return None
    rows = authenticator.db.query(UserInfo.username, UserInfo.is_authorized)
    return {str(username): bool(authorized) for username, authorized in rows}
