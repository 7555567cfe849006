"""Processes forked from the hub forkserver behave as if started by ``python -m``.

Each test forks a small module of its own (written into the process's
folder, which a forked copy finds first on ``sys.path`` as ``python -m``
would) from a real server, through the launcher a hub's ``Popen`` runs.
"""

import json
import os
import signal
import subprocess
import textwrap
import time

import pytest

from stellars_testing.hub_forkserver import HubForkserver

# Reports what a started process sees, then waits for SIGTERM (exit 0) or
# exits at once with the status its first argument names.
REPORTER = textwrap.dedent("""
    import json, os, random, signal, sys, time

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(json.dumps({
        "argv": sys.argv[1:],
        "cwd": os.getcwd(),
        "marker": os.environ.get("FORKED_MARKER"),
        "random": random.random(),
        "path0": sys.path[0],
    }), flush=True)
    print("to stderr", file=sys.stderr, flush=True)
    if sys.argv[1] != "wait":
        sys.exit(int(sys.argv[1]))
    while True:
        time.sleep(0.05)
""")


@pytest.fixture
def forkserver():
    server = HubForkserver()
    yield server
    server.stop()


def _start(forkserver, folder, *arguments, env=None):
    (folder / "reporter.py").write_text(REPORTER)
    return subprocess.Popen(
        forkserver.command(list(arguments), module="reporter"),
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", "FORKED_MARKER": "this one's", **(env or {})},
    )


def _report(process):
    return json.loads(process.stdout.readline())


def test_a_forked_process_has_its_folder_environment_arguments_and_status(forkserver, tmp_path):
    process = _start(forkserver, tmp_path, "3", "--flag")
    report = _report(process)
    assert process.wait(30) == 3
    assert report["argv"] == ["3", "--flag"]
    assert report["cwd"] == str(tmp_path)
    assert report["path0"] == str(tmp_path)
    assert report["marker"] == "this one's"
    assert process.stderr.read() == "to stderr\n"


def test_a_signal_to_the_launcher_reaches_the_forked_process(forkserver, tmp_path):
    process = _start(forkserver, tmp_path, "wait")
    _report(process)
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0


def test_a_process_a_signal_ends_is_reported_so(forkserver, tmp_path):
    process = _start(forkserver, tmp_path, "wait")
    _report(process)
    # Not handled, so it ends the forked process. Not SIGQUIT: a shell's
    # background job (CI's test streams) ignores SIGQUIT, and so then does
    # every process it starts.
    process.send_signal(signal.SIGUSR1)
    assert process.wait(30) == -signal.SIGUSR1


def test_killing_the_launcher_ends_the_forked_process(forkserver, tmp_path):
    process = _start(forkserver, tmp_path, "wait")
    _report(process)
    forked = _forked_pids(forkserver)
    assert len(forked) == 1
    process.kill()
    process.wait(30)
    deadline = time.monotonic() + 30
    while _forked_pids(forkserver) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _forked_pids(forkserver)


def test_a_forked_process_still_running_when_the_server_stops_is_stopped(forkserver, tmp_path):
    process = _start(forkserver, tmp_path, "wait")
    _report(process)
    forkserver.stop()
    assert process.wait(30) == 0  # the SIGTERM it was sent


def test_forked_processes_draw_different_random_numbers(forkserver, tmp_path):
    draws = []
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        process = _start(forkserver, folder, "0")
        draws.append(_report(process)["random"])
        process.wait(30)
    assert draws[0] != draws[1]


def test_interpreter_options_the_server_lacks_mean_a_new_interpreter(forkserver):
    assert forkserver.serves({**os.environ, "PATH": "/usr/bin"})
    assert not forkserver.serves({**os.environ, "PYTHONPATH": "/somewhere/else"})


def _forked_pids(forkserver):
    server = forkserver._server.pid
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(server)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return [int(pid) for pid in children]
