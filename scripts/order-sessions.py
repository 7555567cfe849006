"""Order nox's default sessions longest first, for the workers of scripts/test.sh.

Reads ``nox --list --json`` on stdin and prints the sessions, one per line,
longest first by their seconds in the last measured CI run (WEIGHTS). The
workers of ``scripts/test.sh`` each take the next session as they finish
the one before, so the longest start at once and the short ones fill in
behind whichever ends first: the order is all the balancing needs, and a
weight only has to be roughly right. A session not in WEIGHTS counts as a
minute, so a new session needs no change here.
"""

from __future__ import annotations

import json
import sys

# Seconds each session took in a whole run on the 2-core CI machine with four
# workers, its environment's install included (the run of 2026-12-06 in
# docs/testing.md; .cache/logs/sessions/times.tsv has a run's): by full name
# first, then by kind.
WEIGHTS = {
    "integration(jupyterhub='6', layers='browser')": 645,
    "integration(jupyterhub='5')": 610,
    "integration(jupyterhub='6', layers='hub')": 560,
    # The Docker layer took 670 s in one session; its two halves by their
    # modules' share of it. The swarm session (505 s) goes after the first:
    # started beside the three longest, its hub image build slowed them
    # so much that two runs took 80 and 200 s longer.
    "integration(jupyterhub='6', layers='docker waits')": 340,
    "swarm": 335,
    "integration(jupyterhub='6', layers='docker')": 330,
    "auth": 145,
    "docker": 125,
    "activity(jupyterhub='6')": 135,
    "hub": 95,
    "ui": 65,
    "activity": 45,
    "deploy": 40,
    "packaging": 38,
    "testing": 38,
    "typecheck": 31,
    "kubernetes": 23,
    "core": 18,
    "lint": 9,
}


def weight(session: str) -> float:
    """Return the rough seconds of *session* (``auth(jupyterhub='5')`` weighs as ``auth``)."""
    if session in WEIGHTS:
        return WEIGHTS[session]
    return WEIGHTS.get(session.split("(", maxsplit=1)[0], 60)


def main() -> None:
    """Print the sessions listed on stdin, longest first."""
    sessions = [entry["session"] for entry in json.load(sys.stdin)]
    for name in sorted(sessions, key=lambda name: (-weight(name), name)):
        print(name)


if __name__ == "__main__":
    main()
