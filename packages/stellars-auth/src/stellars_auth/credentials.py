"""The credential cache: generated passphrases kept in hub memory for a few minutes, read once.

When an admin creates accounts, each new user's passphrase is generated,
stored hashed in the database, and its plaintext kept here only, so the
admin's page can show it right after the batch. Nothing here ever reaches
the database or a log; an entry leaves on its first read, at the end of its
time to live, or when the password changes or the user is deleted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


@dataclass(frozen=True)
class TakenCredentials:
    """What one read of the cache gave: passphrases by username, and names with none.

    ``lost`` are those of ``unavailable`` whose password the hub generated
    but can no longer show (read before, expired, or the hub restarted since).
    """

    passwords: dict[str, str]
    unavailable: list[str]
    lost: list[str] = field(default_factory=list)


@dataclass
class CredentialCache:
    """Passphrases by username, each kept at most *ttl_s* seconds and read at most once.

    Used on the hub's event loop thread only (no locking).
    """

    ttl_s: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _entries: dict[str, tuple[str, float]] = field(default_factory=dict, repr=False)

    def put(self, username: str, password: str) -> None:
        """Keep *password* for *username* (replacing any earlier one) for the time to live."""
        self._drop_expired()
        self._entries[username] = (password, self.clock() + self.ttl_s)

    def take(self, usernames: Iterable[str]) -> TakenCredentials:
        """Return and forget the passphrases of *usernames*; names with none are unavailable."""
        self._drop_expired()
        passwords: dict[str, str] = {}
        unavailable: list[str] = []
        for username in dict.fromkeys(usernames):  # each name once, in the order asked
            entry = self._entries.pop(username, None)
            if entry is None:
                unavailable.append(username)
            else:
                passwords[username] = entry[0]
        return TakenCredentials(passwords, unavailable)

    def forget(self, username: str) -> None:
        """Drop *username*'s passphrase, if any (their password changed, or they were deleted)."""
        self._entries.pop(username, None)

    def __len__(self) -> int:
        self._drop_expired()
        return len(self._entries)

    def _drop_expired(self) -> None:
        now = self.clock()
        for username in [name for name, (_, until) in self._entries.items() if until <= now]:
            del self._entries[username]
