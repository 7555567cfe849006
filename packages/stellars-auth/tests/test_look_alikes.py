"""Which existing names a sign-up could be mistaken for, case by case."""

import pytest

from stellars_auth.look_alikes import edits_within, look_alikes, look_alikes_of

EXISTING = ("alice", "bob", "al", "samantha", "margaret")

# (id, new name, the existing names it looks like)
CASES = [
    ("digit-appended", "alice1", ["alice"]),
    ("upper-case", "Alice", ["alice"]),
    ("full-width", "\uff41lice", ["alice"]),
    ("digit-for-letter", "a1ice", ["alice"]),
    ("rn-for-m", "rnargaret", ["margaret"]),
    ("cyrillic-a", "\u0430lice", ["alice"]),
    ("letter-dropped", "alce", ["alice"]),
    ("neighbours-swapped", "alcie", ["alice"]),
    ("one-substitution-short", "rob", ["bob"]),
    ("two-edits-long", "samanth1a", ["samantha"]),
    ("two-edits-short-is-apart", "bobby", []),
    ("three-edits-long-is-apart", "samuel", []),
    ("two-letters-only-exactly", "ab", []),
    ("two-letters-confusable", "a1", ["al"]),
    ("unrelated", "zoe", []),
    ("itself-never", "alice", []),
]


@pytest.mark.parametrize(
    ("name", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_look_alikes_name_the_existing_names_a_sign_up_resembles(name, expected):
    assert look_alikes(name, EXISTING) == expected


def test_several_look_alikes_come_sorted():
    # "ian" is two edits from "ann": apart, for a short name.
    assert look_alikes("ann", ["anne", "an", "Ann", "ian", "bob"]) == ["Ann", "anne"]


def test_look_alikes_of_keeps_only_names_with_a_resemblance():
    assert look_alikes_of(["alice1", "zoe"], [*EXISTING, "alice1", "zoe"]) == {"alice1": ["alice"]}


# (first, second, edits) by the textbook full table, for the banded one to match.
DISTANCES = [
    ("", "", 0),
    ("", "ab", 2),
    ("abc", "abc", 0),
    ("abc", "acb", 1),
    ("abcd", "badc", 2),
    ("kitten", "sitting", 3),
    ("alice", "alice12", 2),
    ("ca", "abc", 3),
]


@pytest.mark.parametrize(("first", "second", "edits"), DISTANCES)
@pytest.mark.parametrize("limit", [0, 1, 2])
def test_edits_within_agrees_with_the_full_distance(first, second, edits, limit):
    assert edits_within(first, second, limit) is (edits <= limit)
    assert edits_within(second, first, limit) is (edits <= limit)
