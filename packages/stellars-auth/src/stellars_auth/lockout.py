"""Failed-login lockout per username *and* client address.

NativeAuthenticator counts failures per username only, so anyone who knows
the admin's name can keep the admin locked out for good by failing a few
times every lockout period. Here the count is per (username, client
address): a guesser is slowed down at their own address, and the owner of
the account logging in from elsewhere is not held up. The counts live in
hub memory: a restart clears them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from tornado.httputil import HTTPServerRequest

# Past this many tracked pairs, expired ones are dropped before adding one,
# so a flood of made-up names cannot grow the table without bound.
_PRUNE_ABOVE = 10_000


@dataclass
class LoginThrottle:
    """Refuse logins of a (username, address) pair for *lockout_s* after *max_failures* failures.

    ``max_failures`` 0 turns the lockout off. Used on the event loop thread only.
    """

    max_failures: int = 5
    lockout_s: float = 600.0
    clock: Callable[[], float] = time.monotonic
    # (username, address) -> (failures, time of the last one)
    _failures: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict, repr=False)

    def blocked(self, username: str, address: str) -> bool:
        """Return whether this pair must wait before trying again."""
        if not self.max_failures:
            return False
        entry = self._failures.get((username, address))
        if entry is None:
            return False
        count, last = entry
        if self.clock() - last >= self.lockout_s:
            del self._failures[username, address]
            return False
        return count >= self.max_failures

    def failed(self, username: str, address: str) -> None:
        """Count a failed login of this pair."""
        if not self.max_failures:
            return
        if len(self._failures) > _PRUNE_ABOVE:
            now = self.clock()
            expired = [k for k, (_, last) in self._failures.items() if now - last >= self.lockout_s]
            for key in expired:
                del self._failures[key]
        count, _ = self._failures.get((username, address), (0, 0.0))
        self._failures[username, address] = (count + 1, self.clock())

    def succeeded(self, username: str, address: str) -> None:
        """Forget this pair's failures after a successful login."""
        self._failures.pop((username, address), None)


def client_address(request: HTTPServerRequest | None) -> str:
    """Return the address a login came from, as the proxy in front of the hub saw it."""
    if request is None:
        return ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded:
        return forwarded.split(",")[-1].strip()
    return str(request.remote_ip or "")
