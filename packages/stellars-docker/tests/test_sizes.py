"""parse_volume_sizes: sizes from the engine's disk-usage answer, unknown kept unknown."""

import asyncio
import http.server
import json
import logging
import threading
import time

import docker
import pytest

from stellars_docker.sizes import VolumeSizeRefresher, parse_volume_sizes


def _volume(name, usage):
    volume = {
        "CreatedAt": "2026-11-26T04:52:25Z",
        "Driver": "local",
        "Labels": None,
        "Mountpoint": f"/var/lib/docker/volumes/{name}/_data",
        "Name": name,
        "Options": None,
        "Scope": "local",
    }
    if usage is not ...:
        volume["UsageData"] = usage
    return volume


# API 1.41 engines ignore type=volume and answer with everything.
EVERYTHING = {
    "LayersSize": 1092588,
    "Images": [{"Id": "sha256:0123", "Size": 1092588, "SharedSize": 0, "Containers": 1}],
    "Containers": [{"Id": "e575", "Names": ["/jupyterlab-alice"], "SizeRootFs": 1092588}],
    "Volumes": [
        _volume("jupyterlab-alice_home", {"Size": 5_242_880, "RefCount": 1}),
        _volume("jupyterhub_shared", {"Size": 0, "RefCount": 2}),
    ],
    "BuildCache": [],
    "BuilderSize": 0,
}

CASES = [
    pytest.param(
        {"Volumes": [_volume("jupyterlab-alice_home", {"Size": 5_242_880, "RefCount": 1})]},
        {"jupyterlab-alice_home": 5_242_880},
        id="sized",
    ),
    pytest.param(
        {"Volumes": [_volume("empty", {"Size": 0, "RefCount": 0})]},
        {"empty": 0},
        id="empty-volume-is-zero",
    ),
    pytest.param(
        {"Volumes": [_volume("remote", {"Size": -1, "RefCount": -1})]},
        {"remote": None},
        id="not-computed-is-unknown",
    ),
    pytest.param({"Volumes": [_volume("fresh", ...)]}, {"fresh": None}, id="no-usage-data"),
    pytest.param({"Volumes": [_volume("fresh", None)]}, {"fresh": None}, id="null-usage-data"),
    pytest.param(
        {"Volumes": [_volume("odd", {"Size": "5 MB"}), _volume("odder", {"Size": True})]},
        {"odd": None, "odder": None},
        id="size-not-a-number",
    ),
    pytest.param(
        EVERYTHING,
        {"jupyterlab-alice_home": 5_242_880, "jupyterhub_shared": 0},
        id="api-1.41-answers-everything",
    ),
    pytest.param({"Volumes": None}, {}, id="no-volumes-null"),
    pytest.param({"Images": []}, {}, id="no-volumes-key"),
    pytest.param(
        {"Volumes": [{"UsageData": {"Size": 1}}, "junk", _volume("kept", {"Size": 7})]},
        {"kept": 7},
        id="entries-without-a-name-skipped",
    ),
]


@pytest.mark.parametrize(("df", "expected"), CASES)
def test_volume_sizes_keep_unknown_sizes_unknown(df, expected):
    assert parse_volume_sizes(df) == expected


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"interval_s": 0, "timeout_s": 1}, id="interval"),
        pytest.param({"interval_s": 1, "timeout_s": 0}, id="timeout"),
    ],
)
def test_a_refresher_refuses_non_positive_settings(options):
    with pytest.raises(ValueError, match="positive"):
        VolumeSizeRefresher(None, **options)


def test_an_absent_engine_leaves_sizes_unknown_and_one_warning(tmp_path, caplog):
    client = docker.DockerClient(base_url=f"unix://{tmp_path}/docker.sock", version="1.41")
    refresher = VolumeSizeRefresher(client, interval_s=60, timeout_s=5)

    with caplog.at_level(logging.WARNING, logger="stellars_docker.sizes"):
        asyncio.run(refresher.refresh())
        asyncio.run(refresher.refresh())

    assert refresher.sizes() == {}
    assert refresher.size_of("jupyterlab-alice_home") is None
    assert [record.levelno for record in caplog.records] == [logging.WARNING]


class _SlowDiskUsage(http.server.BaseHTTPRequestHandler):
    """An engine whose disk-usage walk takes DELAY_S: a host full of files."""

    DELAY_S = 1.5

    def do_GET(self):
        if not self.path.startswith("/v1.41/system/df"):
            self.send_error(404)
            return
        time.sleep(self.DELAY_S)
        body = json.dumps(
            {"Volumes": [_volume("jupyterlab-alice_home", {"Size": 5_242_880, "RefCount": 1})]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_engine():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowDiskUsage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_walk_longer_than_the_clients_timeout_still_gets_its_own(slow_engine):
    # The client's timeout is JUPYTERHUB_DOCKER_TIMEOUT, meant for quick
    # calls; the walk of every volume has JUPYTERHUB_VOLUME_SIZE_TIMEOUT.
    client = docker.DockerClient(base_url=slow_engine, version="1.41", timeout=1)
    refresher = VolumeSizeRefresher(client, interval_s=60, timeout_s=10)

    asyncio.run(refresher.refresh())

    assert refresher.size_of("jupyterlab-alice_home") == 5_242_880


def test_sizes_measured_elsewhere_are_kept_beside_the_last_refresh():
    refresher = VolumeSizeRefresher(None, interval_s=60, timeout_s=5)
    refresher.record({"jupyterlab-ada_home": 4096})
    refresher.record({"jupyterlab-ada_cache": 0})
    assert refresher.sizes() == {"jupyterlab-ada_home": 4096, "jupyterlab-ada_cache": 0}
    assert refresher.size_of("jupyterlab-ada_home") == 4096
