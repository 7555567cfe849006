"""Reading request bodies: size, nesting and shape, each refused with its own status."""

import time
from http import HTTPStatus

import pytest

from stellars_ui.json_body import (
    MAX_BODY_DEPTH,
    BodyError,
    nesting_depth,
    parse_json_object,
)

DEPTHS = [
    pytest.param(b"", 0, id="empty"),
    pytest.param(b"{}", 1, id="object"),
    pytest.param(b'{"usernames": ["a", "b"]}', 2, id="list-in-object"),
    pytest.param(b"[[[]]]", 3, id="arrays"),
    pytest.param(b'{"a": "[[[[{{{{"}', 1, id="brackets-in-a-string"),
    pytest.param(b'{"a": "\\"[[[["}', 1, id="escaped-quote-in-a-string"),
    pytest.param(b'{"a": "\\\\", "b": [[]]}', 3, id="escaped-backslash-ends-the-string"),
    pytest.param(b"[]" * 100, 1, id="siblings-do-not-add-up"),
    pytest.param(b"]]]][[", 0, id="stray-closers-first"),
]


@pytest.mark.parametrize(("body", "depth"), DEPTHS)
def test_nesting_depth_counts_arrays_and_objects_outside_strings(body, depth):
    assert nesting_depth(body, limit=100) == depth


def test_nesting_depth_stops_counting_past_the_limit():
    assert nesting_depth(b"[" * 10_000, limit=5) == 6


def test_a_worst_case_body_is_measured_quickly():
    # An unterminated string full of escaped quotes: what makes a regular
    # expression for strings backtrack quadratically.
    body = b'"' + b'\\"' * 32_000
    started = time.perf_counter()
    assert nesting_depth(body, limit=MAX_BODY_DEPTH) == 0
    assert time.perf_counter() - started < 1.0


REFUSED = [
    pytest.param(b"[" * 5000 + b"]" * 5000, HTTPStatus.BAD_REQUEST, "nested", id="deep-arrays"),
    pytest.param(b'{"a":' * 20 + b"1" + b"}" * 20, HTTPStatus.BAD_REQUEST, "nested", id="deep"),
    pytest.param(
        b"x" * (64 * 1024 + 1), HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Body over", id="big"
    ),
    pytest.param(b"{", HTTPStatus.BAD_REQUEST, "not JSON", id="truncated"),
    pytest.param(b"\xff\xfe", HTTPStatus.BAD_REQUEST, "not JSON", id="not-utf8"),
    pytest.param(b"[]", HTTPStatus.BAD_REQUEST, "JSON object", id="array"),
    pytest.param(b'"hours"', HTTPStatus.BAD_REQUEST, "JSON object", id="string"),
]


@pytest.mark.parametrize(("body", "status", "says"), REFUSED)
def test_a_body_outside_the_limits_is_refused_with_its_status(body, status, says):
    with pytest.raises(BodyError) as refused:
        parse_json_object(body)
    assert refused.value.status == status
    assert says in str(refused.value)


def test_a_body_within_the_limits_is_parsed():
    assert parse_json_object(b'{"hours": 2}') == {"hours": 2}
    assert parse_json_object(b"") == {}
    nested_at_the_limit = b"[" * (MAX_BODY_DEPTH - 1) + b"]" * (MAX_BODY_DEPTH - 1)
    assert parse_json_object(b'{"hours": ' + nested_at_the_limit + b"}")
