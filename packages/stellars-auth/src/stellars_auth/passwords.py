"""bcrypt work off the event loop, in a small pool of its own, logins first.

bcrypt takes a quarter of a second of CPU per hash or check, on purpose. On
the hub's event loop that would stall every other request; in the loop's
default pool (cores + 4 threads) a burst of logins would still take every
core from the loop's thread. :class:`PasswordWork` runs at most
``cores - 1`` at once (at least one), so a core is always left for the
hub; logins in a burst wait their turn instead.

Work someone waits for (a login, a sign-up, a password change) goes ahead of
background work (strengthening the provisional hashes of a batch of new
accounts, see ``StellarsNativeAuthenticator.add_user``), so a batch of a
thousand accounts never puts a login four minutes back in the queue.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

import bcrypt

if TYPE_CHECKING:
    from collections.abc import Callable

# NativeAuthenticator hashes with bcrypt.gensalt()'s default cost: 2**12 rounds.
# The default of the authenticator's ``password_hash_cost``.
FULL_COST = 12
# A hub-generated passphrase (at least four words of the EFF list, over 51 bits)
# is first stored at this cost (2**6 rounds, 4 ms) and re-hashed at full cost
# in the background within minutes; guessing it offline at this cost would
# still take years. A person's own password is never stored below full cost.
PROVISIONAL_COST = 6
# The full costs a hub may be configured with: above the provisional cost, so
# that a batch's accounts are always strengthened, and up to bcrypt's 31.
LOWEST_FULL_COST = PROVISIONAL_COST + 1
HIGHEST_FULL_COST = 31
# What an unknown username's password is checked against, so that it costs
# one bcrypt check like a known one: at NativeAuthenticator's cost, made once.
_NO_ACCOUNT_AT_FULL_COST = b"$2b$12$TtBFf7ROc66CjD37udVosO6CFrOadbZxnbQcqvGY3x5PTIT9GeuZ6"

_FOREGROUND = 0
_BACKGROUND = 1

_Result = TypeVar("_Result")


def default_workers() -> int:
    """Return the bcrypt threads that leave a core to the hub: cores - 1, at least 1."""
    return max(1, (os.cpu_count() or 2) - 1)


def cost_of(stored_hash: bytes) -> int:
    """Return the cost (log2 of the rounds) a bcrypt hash was made with.

    Raises ValueError when *stored_hash* is not a bcrypt hash (``$2b$12$...``).
    """
    try:
        return int(stored_hash.split(b"$")[2])
    except (IndexError, ValueError) as error:
        raise ValueError("not a bcrypt hash") from error


def is_provisional(stored_hash: bytes, full_cost: int = FULL_COST) -> bool:
    """Return whether *stored_hash* is below *full_cost* and should be re-hashed when possible."""
    try:
        return cost_of(stored_hash) < full_cost
    except ValueError:
        return False


class PasswordWork:
    """Hash and check passwords as NativeAuthenticator stores them, in worker threads.

    *full_cost* is the cost a password is hashed at unless a call says
    otherwise (``FULL_COST``, NativeAuthenticator's, by default).
    """

    def __init__(
        self, workers: int | None = None, quiet_s: float = 1.0, full_cost: int = FULL_COST
    ) -> None:
        self.workers = workers or default_workers()
        self.full_cost = full_cost
        # At another cost the stand-in is made here, once, before the hub serves.
        self.no_account_hash = (
            _NO_ACCOUNT_AT_FULL_COST
            if full_cost == FULL_COST
            else bcrypt.hashpw(secrets.token_bytes(32), bcrypt.gensalt(full_cost))
        )
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="bcrypt")
        self._turns = _Turns(self.workers, quiet_s)

    async def hash(
        self, password: str, *, cost: int | None = None, background: bool = False
    ) -> bytes:
        """Return the bcrypt hash of *password* at *cost* (default: :attr:`full_cost`).

        *background* work runs only when no login, sign-up or password
        change has asked for a thread for *quiet_s* seconds; foreground work
        then waits for at most the one background hash already running.
        """
        salt = bcrypt.gensalt(self.full_cost if cost is None else cost)
        priority = _BACKGROUND if background else _FOREGROUND
        return await self._run(priority, bcrypt.hashpw, password.encode(), salt)

    async def check(self, password: str, stored_hash: bytes) -> bool:
        """Return whether *password* matches *stored_hash*."""
        return await self._run(_FOREGROUND, bcrypt.checkpw, password.encode(), stored_hash)

    async def _run(self, priority: int, work: Callable[..., _Result], *args: bytes) -> _Result:
        await self._turns.take(priority)
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, work, *args)
        finally:
            self._turns.give_back()


class _Turns:
    """The pool's threads handed out in order: foreground first, then first come, first served.

    Background work gets a thread only once foreground work has been quiet
    for *quiet_s*: a running hash cannot be interrupted, so otherwise each of
    a batch's quick provisional hashes would wait for a full-cost one.
    Runs on the event loop's thread only, so it needs no lock.
    """

    def __init__(self, slots: int, quiet_s: float) -> None:
        self._free = slots
        self._quiet_s = quiet_s
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()
        self._last_foreground = -math.inf
        self._wake: asyncio.TimerHandle | None = None

    async def take(self, priority: int) -> None:
        loop = asyncio.get_running_loop()
        if priority == _FOREGROUND:
            self._last_foreground = loop.time()
        turn: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiting, (priority, next(self._arrivals), turn))
        self._hand_out()
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.give_back()  # handed a thread in the same moment it was cancelled
            raise

    def give_back(self) -> None:
        self._free += 1
        self._hand_out()

    def _hand_out(self) -> None:
        loop = asyncio.get_running_loop()
        while self._free and self._waiting:
            priority, _, turn = self._waiting[0]
            if turn.done():  # cancelled while it waited: its place is given up
                heapq.heappop(self._waiting)
                continue
            if priority == _BACKGROUND:
                wait = self._last_foreground + self._quiet_s - loop.time()
                if wait > 0:
                    self._wake_in(loop, wait)
                    return
            heapq.heappop(self._waiting)
            self._free -= 1
            turn.set_result(None)

    def _wake_in(self, loop: asyncio.AbstractEventLoop, delay: float) -> None:
        if self._wake is not None:
            self._wake.cancel()
        self._wake = loop.call_later(delay, self._hand_out)
