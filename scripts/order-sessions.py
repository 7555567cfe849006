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

# Seconds each session took in a whole run on the 2-core CI machine, its
# environment's install included (.cache/logs/sessions/times.tsv of the run
# of 2026-12-06 in docs/testing.md): by full name first, then by kind.
WEIGHTS = {
    "integration(jupyterhub='6', layers='docker')": 580,
    "integration(jupyterhub='6', layers='browser')": 540,
    "integration(jupyterhub='5')": 500,
    "integration(jupyterhub='6', layers='hub')": 355,
    "swarm": 315,
    "docker": 110,
    "auth": 100,
    "activity": 65,
    "hub": 55,
    "ui": 35,
    "deploy": 32,
    "typecheck": 20,
    "packaging": 18,
    "testing": 15,
    "kubernetes": 12,
    "core": 8,
    "lint": 5,
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
