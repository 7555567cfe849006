"""The username policy: which new names the hub accepts, and why it refuses the others.

A name is normalised (NFKC, lower case) and then checked: not empty, not
longer than the limit, no invisible or control character (zero-width,
bidi overrides, ANSI escapes), only the allowed characters, and not
confusable with an existing name (Unicode TR39 "skeleton": ``admin`` and
``adrnin``, or a Cyrillic a for a Latin one, share one). Names that
exist already are never checked again: an account made before the policy
keeps working.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

DEFAULT_MAX_LENGTH = 64
# Lower-case ASCII letters, digits and a few separators, starting with a letter
# or digit: what the admin setting already allows, and safe in Docker names,
# URLs and file names after DockerSpawner's escaping.
DEFAULT_PATTERN = r"[a-z0-9][a-z0-9._@-]*"
_DEFAULT_RULE = (
    "a username may use only the letters a-z, digits and . _ @ -, and starts with a letter or digit"
)
# Unicode categories nobody sees on a page: controls (ANSI escapes start with
# one), formats (zero-width, bidi overrides), separators, unassigned and private.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
# How much of a refused name a message repeats: enough to recognise it.
_SHOWN = 40
# confusables.txt lines: source ; prototype ; type
_SOURCE_AND_TARGET = 2


class InvalidUsernameError(ValueError):
    """A new username breaks the policy; ``reason`` says how, in words for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ConfusablesDataError(RuntimeError):
    """Unicode's confusables table (shipped by the ``confusables`` package) cannot be read."""


@dataclass(frozen=True)
class UsernamePolicy:
    """What a new username must be: at most ``max_length`` characters matching ``pattern``."""

    max_length: int = DEFAULT_MAX_LENGTH
    pattern: str = DEFAULT_PATTERN
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Compile the pattern once; raise ValueError for a limit below 1 or a bad pattern."""
        if self.max_length < 1:
            raise ValueError("max_length must be at least 1")
        try:
            compiled = re.compile(self.pattern)
        except re.error as error:
            raise ValueError(f"username pattern {self.pattern!r} is not valid: {error}") from error
        object.__setattr__(self, "_regex", compiled)

    def check(self, name: str, existing: Iterable[str] = ()) -> None:
        """Check a new, already normalised *name* against the policy and the *existing* names.

        Raises InvalidUsernameError with the first reason the name is refused.
        """
        if not name:
            raise InvalidUsernameError("a username is required")
        if len(name) > self.max_length:
            raise InvalidUsernameError(
                f"the username is {len(name)} characters long; at most {self.max_length} "
                "are allowed"
            )
        hidden = next((char for char in name if unicodedata.category(char) in _INVISIBLE), None)
        if hidden is not None:
            raise InvalidUsernameError(
                f"the username contains the invisible or control character {_describe(hidden)}"
            )
        if self._regex.fullmatch(name) is None:
            raise InvalidUsernameError(self._rule_broken(name))
        own = skeleton(name)
        for other in existing:
            if other != name and skeleton(other) == own:
                raise InvalidUsernameError(
                    f"the username looks like the existing username {shown(other)}"
                )

    def _rule_broken(self, name: str) -> str:
        foreign = next((char for char in name if not char.isascii()), None)
        rule = (
            _DEFAULT_RULE
            if self.pattern == DEFAULT_PATTERN
            else f"a username must match the pattern {self.pattern}"
        )
        if foreign is not None:
            return f"the username contains {_describe(foreign)}: {rule}"
        return f"the username breaks the rule: {rule}"


def normalize(name: str) -> str:
    """Return *name* in NFKC form and lower case (full-width ``ADMIN`` becomes ``admin``)."""
    folded = unicodedata.normalize("NFKC", name).lower()
    # Lower-casing can leave a string that is not NFKC any more (rare, but cheap to settle).
    return unicodedata.normalize("NFKC", folded)


# Every new name is compared with every existing one: remembered skeletons
# make a batch of a thousand new users a dictionary lookup per pair.
@lru_cache(maxsize=100_000)
def skeleton(name: str) -> str:
    """Return the TR39 skeleton of *name*: equal skeletons look alike.

    NFD, each character replaced by its prototype from Unicode's
    confusables table, NFD again (UTS #39, section 4).
    Raises ConfusablesDataError when the table cannot be read.
    """
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFD", name)
    return unicodedata.normalize("NFD", "".join(prototypes.get(c, c) for c in decomposed))


def shown(name: str) -> str:
    r"""Return *name* safe for a log line or a message: escaped like repr, long ones cut.

    Control, zero-width and bidi characters come out as ``\x1b``, ``\u200b``,
    so nothing in a name reaches a terminal or a page raw.
    """
    if len(name) <= _SHOWN:
        return repr(name)
    return f"{name[:_SHOWN]!r}... ({len(name)} characters)"


def _describe(char: str) -> str:
    # Control characters have no name in the Unicode database, only a category.
    label = unicodedata.name(char, "") or f"category {unicodedata.category(char)}"
    return f"U+{ord(char):04X} ({label})"


@cache
def _prototypes() -> dict[str, str]:
    # The `confusables` distribution ships Unicode's own confusables.txt next to
    # its (looser, two-way) mapping; we read the table itself, not its API.
    try:
        table = distribution("confusables").locate_file("confusables/assets/confusables.txt")
        text = Path(str(table)).read_text(encoding="utf-8-sig")
    except (PackageNotFoundError, OSError) as error:
        raise ConfusablesDataError(f"Unicode's confusables table is unreadable: {error}") from error
    prototypes: dict[str, str] = {}
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < _SOURCE_AND_TARGET:
            continue
        source = "".join(chr(int(point, 16)) for point in fields[0].split())
        if len(source) == 1:
            prototypes[source] = "".join(chr(int(point, 16)) for point in fields[1].split())
    if not prototypes:
        raise ConfusablesDataError("Unicode's confusables table is empty")
    return prototypes
