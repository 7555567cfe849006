"""Where a long value on a page may wrap: after separators, never inside a number."""

import pytest

from stellars_ui.line_breaks import break_points


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        pytest.param("107374182400", ["107374182400"], id="a-number-stays-whole"),
        pytest.param("-1.5", ["-1.5"], id="sign-and-decimals-stay"),
        pytest.param("'20G'", ["'20G'"], id="a-size-stays-whole"),
        pytest.param("http://hub:8081/x", ["http:", "/", "/", "hub:", "8081/", "x"], id="url"),
        pytest.param("a,b;c=d", ["a,", "b;", "c=", "d"], id="list-punctuation"),
        pytest.param("MY_VAR", ["MY_", "VAR"], id="underscore"),
        pytest.param("", [""], id="empty"),
    ],
)
def test_text_is_cut_only_after_separators_and_joins_back(text, pieces):
    assert break_points(text) == pieces
    assert "".join(break_points(text)) == text
