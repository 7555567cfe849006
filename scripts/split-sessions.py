"""Split nox's default sessions into two streams that can run at once (scripts/test.sh).

Reads ``nox --list --json`` on stdin and prints the sessions of stream 1 or
2 (the argument), one per line, the integration session first: sessions
of JupyterHub 5 go to stream 1, those of JupyterHub 6 to stream 2, and the
others (lint, typecheck) alternate, so a new session needs no change here.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    """Print the sessions of the stream named by the first argument."""
    wanted = int(sys.argv[1])
    streams: dict[int, list[str]] = {1: [], 2: []}
    others = 0
    for entry in json.load(sys.stdin):
        name = entry["session"]
        version = (entry.get("call_spec") or {}).get("jupyterhub")
        if version == "5":
            streams[1].append(name)
        elif version == "6":
            streams[2].append(name)
        else:
            others += 1
            streams[1 + others % 2].append(name)
    # The longest session first, so the two streams end close together.
    for name in sorted(streams[wanted], key=lambda n: not n.startswith("integration")):
        print(name)


if __name__ == "__main__":
    main()
