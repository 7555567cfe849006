"""Where a long value shown on a page may wrap: after a separator, never inside a number."""

from __future__ import annotations

import re

# After these a line may break: URL and list punctuation, and the underscore
# of a variable's name. Not a dot (0.5, 1.2.3) nor a hyphen (-1): a number
# stays whole.
_AFTER_SEPARATOR = re.compile(r"(?<=[/,;:=_&?@])")


def break_points(text: str) -> list[str]:
    """Return *text* cut after each separator, the pieces a page joins with ``<wbr>``.

    ``"http://a/b"`` gives ``["http:", "/", "/", "a/", "b"]``; text without a
    separator (``"86400"``) comes back whole, as one piece. Joined, the
    pieces are *text* again.
    """
    return [piece for piece in _AFTER_SEPARATOR.split(text) if piece] or [text]
