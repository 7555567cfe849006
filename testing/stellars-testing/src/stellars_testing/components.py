"""What a test does when a real component it needs is missing."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """Return whether the tests run in CI, where nothing may be skipped."""
    return os.environ.get("CI", "").lower() == "true"


def require(component: str, problem: str, fix: str) -> NoReturn:
    """Stop the test because *component* is unavailable.

    In CI a missing component is a failure: a green run must mean every layer
    ran. On a developer's machine the test is skipped, saying how to provide it.
    """
    message = f"{component} unavailable: {problem}. {fix}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
