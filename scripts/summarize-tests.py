"""Print the tests of a whole run per layer, from the sessions' JUnit reports.

Each failed test is named, with the first line of why, before the counts:
CI shows only the end of a run's output. The last line is the plain
"N passed, N failed, N skipped" of the whole run.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

LAYERS = ("unit", "hub", "database", "docker", "browser", "deploy", "swarm")
OUTCOMES = ("passed", "failed", "skipped")
# Failures named at the end; a run with more has a wider problem, and the
# sessions' own output above has every one.
NAMED_FAILURES = 15
REASON_CHARS = 160


def _outcome(case: ET.Element) -> str:
    if case.find("failure") is not None or case.find("error") is not None:
        return "failed"
    if case.find("skipped") is not None:
        return "skipped"
    return "passed"


def _failure(case: ET.Element) -> str:
    """Return "module::test: first line of the failure" for a failed *case*."""
    problem = case.find("failure")
    if problem is None:
        problem = case.find("error")
    reason = (problem.get("message") or problem.text or "") if problem is not None else ""
    first_line = reason.strip().splitlines()[0] if reason.strip() else "(no message)"
    return f"{case.get('classname')}::{case.get('name')}: {first_line[:REASON_CHARS]}"


def _layer(case: ET.Element) -> str:
    for prop in case.iter("property"):
        if prop.get("name") == "layer":
            return prop.get("value", "unit")
    return "unit"


def main(reports: Path) -> int:
    """Print the summary of every report in *reports*; return 1 when none ran or one failed."""
    counts: Counter[tuple[str, str]] = Counter()
    failures: list[str] = []
    sessions = sorted(reports.glob("*.xml"))
    for report in sessions:
        for case in ET.parse(report).iter("testcase"):
            outcome = _outcome(case)
            counts[_layer(case), outcome] += 1
            if outcome == "failed":
                failures.append(f"{report.stem}: {_failure(case)}")
    if failures:
        print(f"\n{len(failures)} failed:")
        for line in failures[:NAMED_FAILURES]:
            print(f"  {line}")
        if len(failures) > NAMED_FAILURES:
            print(f"  ... and {len(failures) - NAMED_FAILURES} more, in the sessions' output above")
    print(f"\ntests per layer, {len(sessions)} sessions:")
    for layer in LAYERS:
        print(f"  {layer:>9}: " + ", ".join(f"{counts[layer, o]} {o}" for o in OUTCOMES))
    totals = {o: sum(counts[layer, o] for layer in LAYERS) for o in OUTCOMES}
    print(", ".join(f"{totals[o]} {o}" for o in OUTCOMES))
    return 0 if sessions and totals["passed"] and not totals["failed"] else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
