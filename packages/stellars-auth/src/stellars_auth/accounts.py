"""What the platform reads about accounts beyond JupyterHub's own users."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.orm import UserInfo

from stellars_auth.credentials import CredentialCache, TakenCredentials

if TYPE_CHECKING:
    from collections.abc import Iterable


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


def take_credentials(authenticator: Any, usernames: Iterable[str]) -> TakenCredentials:
    """Return and forget the cached passphrases of *usernames* (each readable once).

    With an authenticator that keeps no credential cache, every name is unavailable.
    """
    cache = getattr(authenticator, "credentials", None)
    if not isinstance(cache, CredentialCache):
        return TakenCredentials({}, list(dict.fromkeys(usernames)))
    return cache.take(usernames)
