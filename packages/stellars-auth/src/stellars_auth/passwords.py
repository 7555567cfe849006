"""bcrypt work off the event loop, in a small pool of its own.

bcrypt takes a quarter of a second of CPU per hash or check, on purpose. On
the hub's event loop that would stall every other request; in the loop's
default pool (cores + 4 threads) a burst of logins would still take every
core from the loop's thread. :class:`PasswordWork` runs at most
``cores - 1`` at once (at least one), so a core is always left for the
hub; logins in a burst wait their turn instead.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import bcrypt


def default_workers() -> int:
    """Return the bcrypt threads that leave a core to the hub: cores - 1, at least 1."""
    return max(1, (os.cpu_count() or 2) - 1)


class PasswordWork:
    """Hash and check passwords as NativeAuthenticator stores them, in worker threads."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="bcrypt")

    async def hash(self, password: str) -> bytes:
        """Return the bcrypt hash of *password*."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool, bcrypt.hashpw, password.encode(), bcrypt.gensalt()
        )

    async def check(self, password: str, stored_hash: bytes) -> bool:
        """Return whether *password* matches *stored_hash*."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool, bcrypt.checkpw, password.encode(), stored_hash
        )
