"""The username policy, case by case: what a new name may be, and the reason when it may not."""

import pytest

from stellars_auth.usernames import (
    InvalidUsernameError,
    UsernamePolicy,
    normalize,
    shown,
    skeleton,
)

EXISTING = ("admin", "alice", "userl")

# (id, typed name, policy, reason fragment or None for accepted)
CASES = [
    ("ordinary", "bob", UsernamePolicy(), None),
    ("separators", "jane.doe_2@team-a", UsernamePolicy(), None),
    ("at-the-limit", "a" * 64, UsernamePolicy(), None),
    ("too-long", "a" * 65, UsernamePolicy(), "65 characters long; at most 64"),
    ("ten-thousand", "x" * 10_000, UsernamePolicy(), "10000 characters long"),
    ("shorter-limit", "abcdef", UsernamePolicy(max_length=5), "at most 5"),
    ("empty", "", UsernamePolicy(), "a username is required"),
    ("zero-width", "admin\u200b", UsernamePolicy(), "U+200B (ZERO WIDTH SPACE)"),
    ("bidi-override", "evil\u202eexe", UsernamePolicy(), "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("control", "bob\x07", UsernamePolicy(), "U+0007"),
    ("ansi-escape", "\x1b[31mred", UsernamePolicy(), "U+001B"),
    ("space", "bob smith", UsernamePolicy(), "U+0020 (SPACE)"),
    ("cyrillic", "\u0430dmin", UsernamePolicy(), "U+0430 (CYRILLIC SMALL LETTER A)"),
    ("slash", "a/b", UsernamePolicy(), "may use only the letters a-z"),
    ("leading-dot", ".hidden", UsernamePolicy(), "starts with a letter or digit"),
    ("confusable-rn", "adrnin", UsernamePolicy(), "looks like the existing username 'admin'"),
    ("confusable-digit", "user1", UsernamePolicy(), "looks like the existing username 'userl'"),
    (
        "cyrillic-wide-pattern",
        "\u0430dmin",
        UsernamePolicy(pattern=r"\w+"),
        "looks like the existing username 'admin'",
    ),
    (
        "cyrillic-mixed-wide-pattern",
        "\u0430li\u0441e",
        UsernamePolicy(pattern=r"\w+"),
        "looks like the existing username 'alice'",
    ),
    ("custom-pattern-refuses", "bob", UsernamePolicy(pattern=r"[a-z]+\.[a-z]+"), "[a-z]+\\.[a-z]+"),
    ("custom-pattern-accepts", "bob.smith", UsernamePolicy(pattern=r"[a-z]+\.[a-z]+"), None),
    ("the-same-name-is-not-a-lookalike", "admin", UsernamePolicy(), None),
]


@pytest.mark.parametrize(
    ("typed", "policy", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_the_policy_accepts_or_names_the_reason(typed, policy, reason):
    name = normalize(typed)
    if reason is None:
        policy.check(name, EXISTING)
        return
    with pytest.raises(InvalidUsernameError) as refused:
        policy.check(name, EXISTING)
    assert reason in refused.value.reason


NORMALISED = [
    ("full-width", "\uff41\uff44\uff4d\uff49\uff4e", "admin"),
    ("full-width-upper", "\uff21\uff24\uff2d\uff29\uff2e", "admin"),
    ("upper", "Alice", "alice"),
    ("ligature", "\ufb01ona", "fiona"),
    ("circled-digit", "bob\u2460", "bob1"),
    ("zero-width-stays", "admin\u200b", "admin\u200b"),
]


@pytest.mark.parametrize(
    ("typed", "expected"), [c[1:] for c in NORMALISED], ids=[c[0] for c in NORMALISED]
)
def test_names_are_nfkc_normalised_and_lower_cased(typed, expected):
    assert normalize(typed) == expected


def test_a_full_width_name_is_the_existing_name_not_a_new_one():
    # NFKC makes it the very name "admin": it is taken, not a lookalike to weigh.
    assert normalize("\uff41\uff44\uff4d\uff49\uff4e") in EXISTING


@pytest.mark.parametrize(
    ("one", "other"),
    [("admin", "adrnin"), ("admin", "\u0430dmin"), ("paypal", "p\u0430yp\u0430l"), ("l", "1")],
    ids=["rn-for-m", "cyrillic-a", "two-cyrillic", "one-for-l"],
)
def test_lookalikes_share_a_skeleton(one, other):
    assert skeleton(one) == skeleton(other)


@pytest.mark.parametrize(
    ("one", "other"), [("admin", "admins"), ("bob", "rob")], ids=["longer", "other-letter"]
)
def test_different_names_have_different_skeletons(one, other):
    assert skeleton(one) != skeleton(other)


SHOWN = [
    ("ansi", "\x1b[31mred\x1b[0m", "'\\x1b[31mred\\x1b[0m'"),
    ("zero-width", "admin\u200b", "'admin\\u200b'"),
    ("bidi", "a\u202eb", "'a\\u202eb'"),
    ("newline", "a\nb", "'a\\nb'"),
    ("long", "y" * 200, "'" + "y" * 40 + "'... (200 characters)"),
]


@pytest.mark.parametrize(("name", "expected"), [c[1:] for c in SHOWN], ids=[c[0] for c in SHOWN])
def test_names_in_logs_and_messages_are_escaped(name, expected):
    assert shown(name) == expected


def test_a_bad_pattern_or_limit_is_refused_at_once():
    with pytest.raises(ValueError, match="not valid"):
        UsernamePolicy(pattern="[a-z")
    with pytest.raises(ValueError, match="at least 1"):
        UsernamePolicy(max_length=0)
