"""Print the tests of a whole run per layer, from the sessions' JUnit reports.

The last line is the plain "N passed, N failed, N skipped" of the whole run.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

LAYERS = ("unit", "hub", "database", "docker", "browser", "deploy", "swarm")
OUTCOMES = ("passed", "failed", "skipped")


def _outcome(case: ET.Element) -> str:
    if case.find("failure") is not None or case.find("error") is not None:
        return "failed"
    if case.find("skipped") is not None:
        return "skipped"
    return "passed"


def _layer(case: ET.Element) -> str:
    for prop in case.iter("property"):
        if prop.get("name") == "layer":
            return prop.get("value", "unit")
    return "unit"


def main(reports: Path) -> int:
    """Print the summary of every report in *reports*; return 1 when none ran or one failed."""
    counts: Counter[tuple[str, str]] = Counter()
    sessions = sorted(reports.glob("*.xml"))
    for report in sessions:
        for case in ET.parse(report).iter("testcase"):
            counts[_layer(case), _outcome(case)] += 1
    print(f"\ntests per layer, {len(sessions)} sessions:")
    for layer in LAYERS:
        print(f"  {layer:>9}: " + ", ".join(f"{counts[layer, o]} {o}" for o in OUTCOMES))
    totals = {o: sum(counts[layer, o] for layer in LAYERS) for o in OUTCOMES}
    print(", ".join(f"{totals[o]} {o}" for o in OUTCOMES))
    return 0 if sessions and totals["passed"] and not totals["failed"] else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
