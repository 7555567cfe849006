"""Split nox's default sessions into streams that run at once (scripts/test.sh).

Reads ``nox --list --json`` on stdin; ``split-sessions.py COUNT INDEX``
prints the sessions of stream INDEX (1 to COUNT), one per line, longest
first. Sessions are dealt out longest first, each to the stream with the
least work so far, by a rough weight per session (minutes on a 2-core
machine); a session not in WEIGHTS counts as one minute, so a new session
needs no change here. The integration sessions mostly wait on containers,
browsers and the culler, which is why several streams finish sooner than
one even on two cores.
"""

from __future__ import annotations

import json
import sys

# Rough minutes of each session on a 2-core machine with three streams, from
# CI runs (see docs/testing.md): by full name first, then by kind. They added
# up to the last run's 1,401 s a stream; the sessions the second pass of issue
# 18 changed are scaled by the CPU each kept (its table in docs/testing.md),
# the Docker layer less, as it mostly waits on containers and culls.
WEIGHTS = {
    "integration(jupyterhub='6', layers='docker')": 10.5,
    "integration(jupyterhub='6', layers='browser')": 10.1,
    "integration(jupyterhub='5')": 7.0,
    "integration(jupyterhub='6', layers='hub')": 5.8,
    "swarm": 5.0,
    "auth": 1.8,
    "docker": 1.7,
    "activity": 1.3,
    "hub": 0.8,
    "ui": 0.6,
    "deploy": 1.0,
    "packaging": 0.5,
    "kubernetes": 0.5,
    "typecheck": 0.5,
    "core": 0.2,
    "testing": 0.2,
    "lint": 0.1,
}


def weight(session: str) -> float:
    """Return the rough minutes of *session* (``auth(jupyterhub='5')`` weighs as ``auth``)."""
    if session in WEIGHTS:
        return WEIGHTS[session]
    return WEIGHTS.get(session.split("(", maxsplit=1)[0], 1.0)


def split(sessions: list[str], count: int) -> list[list[str]]:
    """Deal *sessions* out to *count* streams, longest first, each to the least loaded."""
    streams: list[list[str]] = [[] for _ in range(count)]
    loads = [0.0] * count
    for session in sorted(sessions, key=lambda name: (-weight(name), name)):
        lightest = loads.index(min(loads))
        streams[lightest].append(session)
        loads[lightest] += weight(session)
    return streams


def main() -> None:
    """Print the sessions of the stream named by the arguments."""
    count, index = int(sys.argv[1]), int(sys.argv[2])
    sessions = [entry["session"] for entry in json.load(sys.stdin)]
    for name in split(sessions, count)[index - 1]:
        print(name)


if __name__ == "__main__":
    main()
