"""Reading a request's JSON body within limits a parser cannot be pushed past.

Python's ``json`` parser recurses once per nested array or object, so ten
kilobytes of ``[`` end in a ``RecursionError`` (an HTTP 500) long before any
size cap bites. The nesting is measured first, in one pass that counts
brackets outside strings, and a body nested deeper than the platform's
bodies ever are is refused before it is parsed.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

# Bodies are a few names at most; anything bigger is refused before parsing.
MAX_BODY_BYTES = 64 * 1024
# The deepest body the API takes is an object holding a list of strings
# (depth 2); the margin leaves room for later fields without inviting a
# parser's recursion.
MAX_BODY_DEPTH = 8

_OPENERS = frozenset(b"[{")
_CLOSERS = frozenset(b"]}")
_QUOTE = ord('"')
_BACKSLASH = ord("\\")


class BodyError(ValueError):
    """A request body the API refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def nesting_depth(body: bytes, limit: int) -> int:
    """Return how deeply *body*'s arrays and objects nest, counting no further than *limit* + 1.

    Brackets inside JSON strings are not counted. The scan stops as soon as
    the depth passes *limit*, so its cost is bounded by the body's length.
    """
    depth = deepest = 0
    for byte in _outside_strings(body):
        if byte in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif byte in _CLOSERS:
            depth -= 1
    return deepest


def _outside_strings(body: bytes) -> Iterator[int]:
    # One pass, no regular expression: a pattern for JSON strings backtracks
    # quadratically on an unterminated string full of escaped quotes.
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        else:
            yield byte


def parse_json_object(
    body: bytes,
    *,
    max_bytes: int = MAX_BODY_BYTES,
    max_depth: int = MAX_BODY_DEPTH,
) -> dict[str, Any]:
    """Return *body* parsed: a JSON object (empty reads as ``{}``).

    Its fields are the request model's to judge (``stellars_ui.models``);
    this only keeps a body the parser could choke on from reaching it.

    Raises:
        BodyError: 413 for a body over *max_bytes*; 400 for one nested deeper
            than *max_depth*, one that is not JSON, or not an object.
    """
    if len(body) > max_bytes:
        raise BodyError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"Body over {max_bytes} bytes.")
    if nesting_depth(body, max_depth) > max_depth:
        raise BodyError(
            HTTPStatus.BAD_REQUEST,
            f"Body is nested more than {max_depth} levels deep (arrays and objects).",
        )
    try:
        parsed = json.loads(body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BodyError(HTTPStatus.BAD_REQUEST, f"Body is not JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise BodyError(HTTPStatus.BAD_REQUEST, "Body must be a JSON object.")
    return parsed
