"""What the platform reads about accounts beyond JupyterHub's own users."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.orm import UserInfo

from stellars_auth.credentials import CredentialCache, TakenCredentials
from stellars_auth.signups import WaitingCount, applied_times

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


def waiting_sign_ups(authenticator: Any) -> int | None:
    """Return how many sign-ups wait for approval (counted at most every few seconds).

    None when *authenticator* keeps no approvals queue (not this package's
    authenticator). Uses the authenticator's database session: call it on
    the hub's event loop thread.
    """
    waiting = getattr(authenticator, "waiting", None)
    if not isinstance(waiting, WaitingCount):
        return None
    return waiting.count(authenticator.db)


def changes_own_password(authenticator: Any) -> bool:
    """Return whether users change their own password on the hub (``/hub/change-password``)."""
    return isinstance(authenticator, NativeAuthenticator)


def take_credentials(authenticator: Any, usernames: Iterable[str]) -> TakenCredentials:
    """Return and forget the cached passphrases of *usernames* (each readable once).

    A name without one is ``lost`` too when the hub generated its password
    (an authorised account that did not come from a sign-up, not a
    configured admin): the admin can only set a new one. With an
    authenticator that keeps no credential cache, every name is unavailable
    and none is lost. Uses the authenticator's database session: call it on
    the hub's event loop thread.
    """
    cache = getattr(authenticator, "credentials", None)
    if not isinstance(cache, CredentialCache):
        return TakenCredentials({}, list(dict.fromkeys(usernames)))
    taken = cache.take(usernames)
    if not taken.unavailable:
        return taken
    accounts = authenticator.db.query(UserInfo.username).filter(
        UserInfo.username.in_(taken.unavailable), UserInfo.is_authorized.is_(True)
    )
    signed_up = applied_times(authenticator.db, taken.unavailable)
    generated = {name for (name,) in accounts} - set(signed_up) - set(authenticator.admin_users)
    lost = [name for name in taken.unavailable if name in generated]
    return TakenCredentials(taken.passwords, taken.unavailable, lost)
