"""The known-device cookie: a browser that logged in as a user before.

Set on every successful login, signed with the hub's cookie secret (tornado's
signed cookies), HttpOnly, SameSite=Lax, Secure over https, and scoped to the
hub's path. A login attempt that carries one for the username it tries is
charged to that account's known devices rather than to strangers (see
``stellars_auth.lockout``): however many strangers guess at an account, its
owner's browser keeps its own allowance. Forging one needs the cookie secret;
getting one needs the password.
"""

from __future__ import annotations

from typing import Any

COOKIE_NAME = "stellars-known-device"
# How long a browser stays known after its last successful login.
KNOWN_FOR_DAYS = 90


def remember_device(handler: Any, username: str) -> None:
    """Mark *handler*'s browser as one that logged in as *username* (sets the cookie)."""
    handler.set_signed_cookie(
        COOKIE_NAME,
        username,
        expires_days=KNOWN_FOR_DAYS,
        path=handler.hub.base_url,
        httponly=True,
        samesite="Lax",
        secure=handler.request.protocol == "https",
    )


def is_known_device(handler: Any, username: str) -> bool:
    """Return whether *handler*'s request carries a valid known-device cookie for *username*."""
    if handler is None or not username:
        return False
    value = handler.get_signed_cookie(COOKIE_NAME, max_age_days=KNOWN_FOR_DAYS)
    return value is not None and value.decode("utf-8", "replace") == username
