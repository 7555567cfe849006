"""Password hashing, kept off the event loop."""

from __future__ import annotations

import asyncio

import bcrypt

# bcrypt deliberately takes tens of milliseconds; on the hub's event loop that
# would stall every other request, so callers await these in a worker thread.


async def hash_password(password: str) -> bytes:
    """Return the bcrypt hash of *password*, as NativeAuthenticator stores it."""
    return await asyncio.to_thread(bcrypt.hashpw, password.encode(), bcrypt.gensalt())


async def check_password(password: str, stored_hash: bytes) -> bool:
    """Return whether *password* matches *stored_hash* (a bcrypt hash)."""
    return await asyncio.to_thread(bcrypt.checkpw, password.encode(), stored_hash)
