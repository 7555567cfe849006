"""Names that look like another: what the authorization area warns of next to a sign-up.

The username policy refuses a new name whose confusable skeleton equals an
existing one (``adrnin`` for ``admin``); a name one keystroke away
(``alice1``, ``alce``) is a legal name, often a real person's second try,
sometimes someone posing as a colleague. The admin approving it decides; this
module only points the resemblance out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stellars_auth.usernames import normalize, skeleton

if TYPE_CHECKING:
    from collections.abc import Iterable

# Edits tolerated between skeletons: one for short names (two edits turn
# "bob" into "ann"), two from this length on.
LONG_NAME = 6
# Names shorter than this are compared only for case and confusables: one
# edit apart is every other name of two letters.
SHORTEST_COMPARED = 3


def look_alikes(name: str, existing: Iterable[str]) -> list[str]:
    """Return the names of *existing* that *name* could be mistaken for, sorted.

    Two names look alike when they differ only in case or width, when their
    Unicode skeletons are equal (``a1ice`` and ``alice``), or when their
    skeletons are one edit apart (two for names of six characters or more):
    an insertion, deletion, substitution or swap of neighbours
    (``alice1``, ``alcie``). *name* itself is never in the answer.

    Raises:
        stellars_auth.usernames.ConfusablesDataError: Unicode's confusables
            table cannot be read.
    """
    own = skeleton(normalize(name))
    found = set()
    for other in existing:
        if other == name:
            continue
        theirs = skeleton(normalize(other))
        shortest = min(len(own), len(theirs))
        if shortest < SHORTEST_COMPARED:
            if own == theirs:
                found.add(other)
            continue
        limit = 2 if shortest >= LONG_NAME else 1
        if edits_within(own, theirs, limit):
            found.add(other)
    return sorted(found)


def look_alikes_of(names: Iterable[str], existing: Iterable[str]) -> dict[str, list[str]]:
    """Return :func:`look_alikes` of each of *names* among *existing*, for those with any.

    Raises:
        stellars_auth.usernames.ConfusablesDataError: as :func:`look_alikes`.
    """
    others = list(existing)
    found = {name: look_alikes(name, others) for name in names}
    return {name: similar for name, similar in found.items() if similar}


def edits_within(first: str, second: str, limit: int) -> bool:
    """Return whether *first* becomes *second* in at most *limit* edits.

    Edits are insertions, deletions, substitutions and swaps of two
    neighbouring characters (optimal string alignment). Only a band of
    ``2 * limit + 1`` cells per row is computed, so a pair costs
    ``O(limit * length)``, not ``O(length**2)``: the area compares every
    sign-up with every existing name.
    """
    if abs(len(first) - len(second)) > limit:
        return False
    if first == second:
        return True
    beyond = limit + 1
    previous: list[int] = []
    row = [min(j, beyond) for j in range(len(second) + 1)]
    for i in range(1, len(first) + 1):
        earlier, previous = previous, row
        row = [beyond] * (len(second) + 1)
        row[0] = min(i, beyond)
        for j in range(max(1, i - limit), min(len(second), i + limit) + 1):
            cost = first[i - 1] != second[j - 1]
            best = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            swapped = i > 1 and j > 1 and first[i - 1] == second[j - 2]
            if swapped and first[i - 2] == second[j - 1]:
                best = min(best, earlier[j - 2] + 1)
            row[j] = min(best, beyond)
        if min(row) > limit:
            return False
    return row[-1] <= limit
