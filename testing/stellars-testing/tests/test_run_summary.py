"""scripts/summarize-tests.py: the end of a whole run's output, which is all CI shows.

A run's JUnit reports are made by pytest on small test files, as the
sessions make them, and the script is run on their folder.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

SUMMARY = Path(__file__).resolve().parents[3] / "scripts" / "summarize-tests.py"


def _report(pytester: pytest.Pytester, name: str, source: str) -> None:
    pytester.makepyfile(**{name: source})
    pytester.runpytest(f"{name}.py", f"--junitxml=reports/{name}.xml", "-o", "junit_family=xunit1")


def _summary(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SUMMARY), str(folder)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_a_failed_test_is_named_with_its_reason_before_the_totals(
    pytester: pytest.Pytester,
) -> None:
    _report(pytester, "calm", "def test_fine(): pass\n")
    _report(
        pytester,
        "broken",
        "def test_fine(): pass\n"
        "def test_restart_answers():\n"
        "    assert 504 == 200, 'restart answered 504'\n",
    )
    result = _summary(pytester.path / "reports")
    lines = result.stdout.splitlines()
    assert result.returncode == 1
    assert "1 failed:" in lines
    named = [line for line in lines if "test_restart_answers" in line]
    assert len(named) == 1
    assert named[0].strip().startswith("broken: broken::test_restart_answers: ")
    assert "restart answered 504" in named[0]
    assert lines[-1] == "2 passed, 1 failed, 0 skipped"
    assert lines.index("1 failed:") < lines.index(lines[-1])


def test_a_green_run_names_no_failure(pytester: pytest.Pytester) -> None:
    _report(pytester, "calm", "def test_fine(): pass\ndef test_also(): pass\n")
    result = _summary(pytester.path / "reports")
    assert result.returncode == 0
    assert "failed:" not in result.stdout
    assert result.stdout.splitlines()[-1] == "2 passed, 0 failed, 0 skipped"


def test_many_failures_are_cut_short_saying_how_many_more(pytester: pytest.Pytester) -> None:
    tests = "".join(f"def test_no_{n}(): assert False\n" for n in range(20))
    _report(pytester, "many", tests)
    result = _summary(pytester.path / "reports")
    lines = result.stdout.splitlines()
    assert "20 failed:" in lines
    assert sum("::test_no_" in line for line in lines) == 15
    assert "  ... and 5 more, in the sessions' output above" in lines
