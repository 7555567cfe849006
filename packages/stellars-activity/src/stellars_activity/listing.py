"""Which users one page of the Activity table shows: search, filter, sort, then a slice.

The caller knows every readable user by cheap facts (name, server state,
approval) and adds the costly ones (resources, scores, history) only when the
query sorts or filters by them (see :meth:`ListingQuery.needs`); the rest of a
row is looked up for the page alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime


class StateFilter(StrEnum):
    """Which users a filter keeps; the server states are the summary's names."""

    ACTIVE = "active"  # running and recently active
    IDLE = "idle"  # running, no activity lately
    OFFLINE = "offline"  # no server running
    OVER_QUOTA = "over_quota"  # volumes measured above the group policy's quota
    PENDING = "pending"  # a sign-up an admin has not approved yet


class SortKey(StrEnum):
    """The columns the table sorts by."""

    USERNAME = "username"
    AUTHORIZED = "authorized"
    STATUS = "status"
    CPU = "cpu"
    MEMORY = "memory"
    VOLUMES = "volumes"
    TIME_LEFT = "time_left"
    LAST_ACTIVITY = "last_activity"
    ACTIVITY = "activity"
    HISTORY = "history"


class SortOrder(StrEnum):
    """Ascending or descending; a missing value is last in both."""

    ASC = "asc"
    DESC = "desc"


class Fact(StrEnum):
    """A costly fact about every user that a query may need beyond the cheap ones."""

    USAGE = "usage"  # CPU, memory, volume sizes
    QUOTA = "quota"  # whether the volumes are over quota
    TIME_LEFT = "time_left"  # the idle culler's remaining time
    SCORES = "scores"
    HISTORY = "history"


_FACT_OF_SORT = {
    SortKey.CPU: Fact.USAGE,
    SortKey.MEMORY: Fact.USAGE,
    SortKey.VOLUMES: Fact.USAGE,
    SortKey.TIME_LEFT: Fact.TIME_LEFT,
    SortKey.ACTIVITY: Fact.SCORES,
    SortKey.HISTORY: Fact.HISTORY,
}


@dataclass(frozen=True)
class ListingQuery:
    """What the reader asked for.

    Attributes:
        name: a case-insensitive substring of the username; empty keeps everyone.
        state: the one filter, or None for none.
        sort: the column.
        order: its direction.
        offset: rows skipped after sorting.
        limit: rows kept after the offset; None keeps every one (an export).
    """

    name: str = ""
    state: StateFilter | None = None
    sort: SortKey = SortKey.USERNAME
    order: SortOrder = SortOrder.ASC
    offset: int = 0
    limit: int | None = None

    def needs(self) -> frozenset[Fact]:
        """Return the costly facts every user needs for this query's filter and sort."""
        needed = set()
        if self.sort in _FACT_OF_SORT:
            needed.add(_FACT_OF_SORT[self.sort])
        if self.state is StateFilter.OVER_QUOTA:
            needed.update((Fact.USAGE, Fact.QUOTA))
        return frozenset(needed)


class ListedUser(NamedTuple):
    """What the listing knows of one user; costly facts are None unless the query needs them.

    A named tuple: a listing makes one per readable user at every request, and
    a tuple is the cheapest object Python makes. ``last_activity`` is compared
    only with the others of one listing (all naive UTC from the hub's
    database, or all aware).
    """

    username: str
    running: bool
    recently_active: bool
    authorized: bool | None
    last_activity: datetime | None
    over_quota: bool = False
    cpu_percent: float | None = None
    memory_bytes: float | None = None
    volumes_bytes: int | None = None
    time_left_seconds: float | None = None
    score: float | None = None
    history_hours: float | None = None

    @property
    def state(self) -> StateFilter:
        """Return ``active``, ``idle`` or ``offline``."""
        if not self.running:
            return StateFilter.OFFLINE
        return StateFilter.ACTIVE if self.recently_active else StateFilter.IDLE


@dataclass(frozen=True)
class ListingPage:
    """One page: the users on it, in order, and how many matched in all."""

    total: int
    users: list[ListedUser]


_STATE_RANK = {StateFilter.ACTIVE: 2, StateFilter.IDLE: 1, StateFilter.OFFLINE: 0}


def _matches(user: ListedUser, query: ListingQuery, needle: str) -> bool:
    if needle and needle not in user.username.casefold():
        return False
    match query.state:
        case None:
            return True
        case StateFilter.OVER_QUOTA:
            return user.over_quota
        case StateFilter.PENDING:
            return user.authorized is False
        case state:
            return user.state is state


_SORT_VALUES: dict[SortKey, Callable[[ListedUser], Any]] = {
    SortKey.USERNAME: lambda user: user.username,
    SortKey.AUTHORIZED: lambda user: None if user.authorized is None else float(user.authorized),
    SortKey.STATUS: lambda user: _STATE_RANK[user.state],
    SortKey.CPU: lambda user: user.cpu_percent,
    SortKey.MEMORY: lambda user: user.memory_bytes,
    SortKey.VOLUMES: lambda user: user.volumes_bytes,
    SortKey.TIME_LEFT: lambda user: user.time_left_seconds,
    SortKey.LAST_ACTIVITY: lambda user: user.last_activity,
    SortKey.ACTIVITY: lambda user: user.score,
    SortKey.HISTORY: lambda user: user.history_hours,
}


# Names in code-point order: what a database pages by with a binary collation.
_BY_NAME = itemgetter(1)
_BY_VALUE = itemgetter(0)


def select_page(users: Iterable[ListedUser], query: ListingQuery) -> ListingPage:
    """Return the users *query* keeps, sorted, and the slice its offset and limit ask for.

    Users without the sorted value come last in either direction; equal
    values keep the names' order (code points, as a binary collation sorts:
    JupyterHub's names are lower-case), so a page boundary never moves
    between two identical requests.
    """
    needle = query.name.casefold()
    value = _SORT_VALUES[query.sort]
    filtering = bool(needle) or query.state is not None
    present: list[tuple[Any, str, ListedUser]] = []
    missing: list[tuple[Any, str, ListedUser]] = []
    by_name = query.sort is SortKey.USERNAME
    for user in users:
        if filtering and not _matches(user, query, needle):
            continue
        sorted_by = user.username if by_name else value(user)
        entry = (sorted_by, user.username, user)
        (missing if sorted_by is None else present).append(entry)
    descending = query.order is SortOrder.DESC
    if by_name:
        present.sort(key=_BY_NAME, reverse=descending)
    else:
        # Two stable sorts: by name, then by the value, so ties stay in name
        # order whichever the direction.
        present.sort(key=_BY_NAME)
        present.sort(key=_BY_VALUE, reverse=descending)
    missing.sort(key=_BY_NAME)
    ordered = present + missing
    end = None if query.limit is None else query.offset + query.limit
    return ListingPage(
        total=len(ordered), users=[entry[2] for entry in ordered[query.offset : end]]
    )
