"""The node agent on the real engine, over real HTTP: only the hub, only the account's volumes."""

import asyncio
import contextlib
import io
import json
import socket
import tarfile
import uuid

import pytest
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.httpserver import HTTPServer

from stellars_docker.labels import (
    COPY_ROLE,
    LAB_ROLE,
    OWNER_LABEL,
    OWNER_NAME_LABEL,
    ROLE_LABEL,
    USER_VOLUME_ROLE,
)
from stellars_docker.sizes import VolumeSizeRefresher
from stellars_docker.stats import StatsCollector
from stellars_docker.swarm.agent.copy import END_OF_ARCHIVE
from stellars_docker.swarm.agent.protocol import EXPORT_PATH, MAX_BODY_BYTES, bearer
from stellars_docker.swarm.agent.server import AgentContext, make_app

# A node's agent: its own HTTP server and its node's engine, no part of
# JupyterHub (docs/testing.md), so the older one's session leaves it out.
pytestmark = pytest.mark.same_on_every_jupyterhub

SECRET = "the-hubs-secret"
ALICE = "7-20260101T000000000000"
BOB = "8-20260101T000000000000"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.asynccontextmanager
async def _agent(client):
    port = _free_port()
    context = AgentContext(
        client=client,
        node=client.info()["Name"],
        secret=SECRET,
        limit_s=30,
        stats=StatsCollector(client, interval_s=3600, timeout_s=30),
        sizes=VolumeSizeRefresher(client, interval_s=3600, timeout_s=120),
        port=port,
        copy_idle_s=10,
    )
    server = HTTPServer(make_app(context), max_body_size=MAX_BODY_BYTES)
    server.listen(port, "127.0.0.1")
    try:
        yield f"http://127.0.0.1:{port}", context
    finally:
        server.stop()


async def _post(url, body, *, secret=SECRET, method="POST", raw=None):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["Authorization"] = bearer(secret)
    request = HTTPRequest(
        url,
        method=method,
        headers=headers,
        body=None if method == "GET" else (raw if raw is not None else json.dumps(body)),
        request_timeout=120,
    )
    response = await AsyncHTTPClient().fetch(request, raise_error=False)
    # A body over the server's limit is refused by Tornado itself, without one.
    return response.code, json.loads(response.body) if response.body else None


def _claim(name, owner, unlabelled_owned=False):
    return {"name": name, "owner": owner, "unlabelled_owned": unlabelled_owned}


@pytest.fixture
def volumes(docker_run):
    """Volumes of two accounts and one without labels, named with this run's id."""
    run = docker_run.run_id
    names = {
        "alice": f"agent-{run}-alice_home",
        "bob": f"agent-{run}-bob_home",
        "legacy": f"agent-{run}-legacy_home",
        "probe": f"agent-{run}-probe",
    }
    owner = {ROLE_LABEL: USER_VOLUME_ROLE, **docker_run.labels}
    docker_run.client.volumes.create(names["alice"], labels={**owner, OWNER_LABEL: ALICE})
    docker_run.client.volumes.create(names["bob"], labels={**owner, OWNER_LABEL: BOB})
    docker_run.client.volumes.create(names["legacy"])
    docker_run.client.volumes.create(
        names["probe"], labels={ROLE_LABEL: "gpu-probe", **docker_run.labels}
    )
    return names


def _present(client):
    return {volume.name for volume in client.volumes.list()}


def test_a_request_without_the_hubs_secret_is_refused_before_anything_is_read(docker_run, volumes):
    async def scenario():
        async with _agent(docker_run.client) as (url, _):
            body = {"volumes": [_claim(volumes["alice"], ALICE)]}
            return (
                await _post(f"{url}/volumes/remove", body, secret=None),
                await _post(f"{url}/volumes/remove", body, secret="not-the-secret"),
                await _post(f"{url}/volumes/remove", body, secret=SECRET + "x"),
                await _post(f"{url}/stats", {}, secret=None),
            )

    missing, wrong, longer, stats = asyncio.run(scenario())
    assert missing == (401, {"status": 401, "message": "the hub's secret is missing"})
    assert wrong == (403, {"status": 403, "message": "the secret is not the hub's"})
    assert longer[0] == 403
    assert stats[0] == 401
    assert volumes["alice"] in _present(docker_run.client)


def test_the_agent_serves_only_its_operations_by_post_with_a_valid_body(docker_run, volumes):
    async def scenario():
        async with _agent(docker_run.client) as (url, _):
            return {
                "get": await _post(f"{url}/stats", None, method="GET"),
                "unknown": await _post(f"{url}/containers/exec", {}),
                "extra": await _post(f"{url}/stats", {"all": True}),
                "no-json": await _post(f"{url}/volumes/remove", None, raw="not json"),
                "bad-name": await _post(
                    f"{url}/volumes/remove", {"volumes": [_claim("../../etc", ALICE)]}
                ),
                "too-big": await _post(
                    f"{url}/volumes/remove",
                    {"volumes": [_claim(volumes["alice"], ALICE)], "pad": "x" * MAX_BODY_BYTES},
                ),
            }

    answers = asyncio.run(scenario())
    assert answers["get"][0] == 405
    assert answers["unknown"][0] == 404
    for case in ("extra", "no-json", "bad-name"):
        status, body = answers[case]
        assert status == 400, (case, body)
        assert body["status"] == 400
    # Tornado drops a body over the server's limit before the handler sees it.
    assert answers["too-big"] == (400, None)
    assert volumes["alice"] in _present(docker_run.client)


def test_removal_takes_only_the_accounts_own_volumes_whatever_the_hub_claims(docker_run, volumes):
    claims = [
        _claim(volumes["alice"], ALICE),
        # Bob's volume claimed for Alice: its label says otherwise.
        _claim(volumes["bob"], ALICE, unlabelled_owned=True),
        # Unlabelled, and the hub says it is a deleted namesake's: kept.
        _claim(volumes["legacy"], ALICE, unlabelled_owned=False),
        # Not a user volume at all.
        _claim(volumes["probe"], ALICE, unlabelled_owned=True),
        _claim(f"agent-{docker_run.run_id}-nobody_home", ALICE, unlabelled_owned=True),
    ]

    async def scenario():
        async with _agent(docker_run.client) as (url, context):
            owned = await _post(f"{url}/volumes/owned", {"volumes": claims})
            removed = await _post(f"{url}/volumes/remove", {"volumes": claims})
            return context.node, owned, removed

    node, owned, removed = asyncio.run(scenario())
    # What a server of Alice's must never mount is named, with the owner its label says.
    assert owned == (
        200,
        {
            "node": node,
            "volumes": [volumes["alice"]],
            "foreign": [
                {"name": volumes["bob"], "owner": BOB, "owner_name": None},
                {"name": volumes["legacy"], "owner": None, "owner_name": None},
                {"name": volumes["probe"], "owner": None, "owner_name": None},
            ],
        },
    )
    status, body = removed
    assert status == 200
    assert body["node"] == node
    assert [(v["name"], v["removed"]) for v in body["volumes"]] == [
        (claim["name"], claim["name"] == volumes["alice"]) for claim in claims
    ]
    left = _present(docker_run.client)
    assert volumes["alice"] not in left
    assert {volumes["bob"], volumes["legacy"], volumes["probe"]} <= left


def test_an_unlabelled_volume_the_hub_says_is_the_accounts_is_removed(docker_run, volumes):
    # A swarm task creates its volumes on its node without labels.
    claim = _claim(volumes["legacy"], ALICE, unlabelled_owned=True)

    async def scenario():
        async with _agent(docker_run.client) as (url, _):
            return await _post(f"{url}/volumes/remove", {"volumes": [claim]})

    status, body = asyncio.run(scenario())
    assert status == 200
    assert body["volumes"] == [{"name": volumes["legacy"], "removed": True, "error": None}]
    assert volumes["legacy"] not in _present(docker_run.client)


def test_the_nodes_user_volumes_are_listed_with_their_owners_and_no_other_roles(
    docker_run, volumes
):
    async def scenario():
        async with _agent(docker_run.client) as (url, context):
            return context.node, await _post(f"{url}/volumes/users", {})

    node, (status, body) = asyncio.run(scenario())
    assert status == 200
    assert body["node"] == node
    mine = {
        v["name"]: v for v in body["volumes"] if v["name"].startswith(f"agent-{docker_run.run_id}")
    }
    # The probe's volume is no user volume; the unlabelled one the hub judges.
    assert mine == {
        volumes["alice"]: {
            "name": volumes["alice"],
            "owner": ALICE,
            "owner_name": None,
            "suffix": None,
        },
        volumes["bob"]: {"name": volumes["bob"], "owner": BOB, "owner_name": None, "suffix": None},
        volumes["legacy"]: {
            "name": volumes["legacy"],
            "owner": None,
            "owner_name": None,
            "suffix": None,
        },
    }


def test_a_volume_an_admin_assigned_to_the_account_is_its_despite_its_label(docker_run, volumes):
    # Bob's volume (by its label), which the hub's records give to Alice.
    assigned = {**_claim(volumes["bob"], ALICE), "assigned": True}
    probe = {**_claim(volumes["probe"], ALICE), "assigned": True}

    async def scenario():
        async with _agent(docker_run.client) as (url, _):
            owned = await _post(f"{url}/volumes/owned", {"volumes": [assigned, probe]})
            removed = await _post(f"{url}/volumes/remove", {"volumes": [assigned, probe]})
            return owned, removed

    (_, owned), (_, removed) = asyncio.run(scenario())
    assert owned["volumes"] == [volumes["bob"]]
    assert [v["name"] for v in owned["foreign"]] == [volumes["probe"]]
    assert [(v["name"], v["removed"]) for v in removed["volumes"]] == [
        (volumes["bob"], True),
        (volumes["probe"], False),
    ]
    left = _present(docker_run.client)
    assert volumes["bob"] not in left
    assert volumes["probe"] in left


def test_stats_sizes_and_a_measurement_come_from_the_agents_node(docker_run, volumes, lab_image):
    client = docker_run.client
    name = f"jupyterlab-agent-{docker_run.run_id}"
    client.containers.run(
        lab_image,
        ["sleep", "300"],
        name=name,
        detach=True,
        labels={ROLE_LABEL: LAB_ROLE, **docker_run.labels},
        volumes={volumes["alice"]: {"bind": "/data", "mode": "rw"}},
        user="0",
    ).exec_run(["sh", "-c", "head -c 3000000 /dev/zero > /data/three-megabytes"])
    measure = {
        "volumes": [_claim(volumes["alice"], ALICE), _claim(volumes["bob"], ALICE)],
        "image": lab_image,
        "timeout_s": 60,
    }

    async def scenario():
        async with _agent(client) as (url, context):
            return (
                context.node,
                await _post(f"{url}/stats", {}),
                await _post(f"{url}/sizes", {}),
                await _post(f"{url}/volumes/measure", measure),
            )

    node, stats, sizes, measured = asyncio.run(scenario())
    assert stats[0] == 200
    assert stats[1]["node"] == node
    (sample,) = [c for c in stats[1]["containers"] if c["container_name"] == name]
    assert sample["memory_bytes"] > 0
    assert sizes[0] == 200
    assert sizes[1]["node"] == node
    assert volumes["bob"] in sizes[1]["volumes"]
    assert measured[0] == 200
    (alice,) = measured[1]["volumes"]  # Bob's volume is not measured for Alice
    assert alice["name"] == volumes["alice"]
    assert alice["size_bytes"] >= 3_000_000


# Copying a volume between nodes: each side on this one engine. The import
# fetches from another agent at the same port: a stand-in on 127.0.0.2
# replays what a real export answered.
def _fill(docker_run, lab_image, volume):
    docker_run.client.containers.run(
        lab_image,
        [
            "sh",
            "-c",
            (
                "mkdir -p /v/d && echo hello > /v/d/f && chown -R 1000:100 /v/d /v"
                " && chmod 640 /v/d/f && chmod 750 /v && ln -sf d/f /v/link"
            ),
        ],
        entrypoint=[],
        volumes={volume: {"bind": "/v", "mode": "rw"}},
        user="0",
        labels=docker_run.labels,
        remove=True,
    )


async def _export(url, claim, image):
    request = HTTPRequest(
        f"{url}/volumes/export",
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": bearer(SECRET)},
        body=json.dumps({"volume": claim, "image": image}),
        request_timeout=120,
    )
    response = await AsyncHTTPClient().fetch(request, raise_error=False)
    return response.code, response.body


class _Replay(web.RequestHandler):
    def initialize(self, archive):
        self.archive = archive

    def post(self):
        assert self.request.headers["Authorization"] == bearer(SECRET)
        self.finish(self.archive)


async def _import(docker_run, claim, image, archive, labels):
    async with _agent(docker_run.client) as (url, context):
        source = HTTPServer(web.Application([(EXPORT_PATH, _Replay, {"archive": archive})]))
        source.listen(context.port, "127.0.0.2")
        try:
            body = {"volume": claim, "image": image, "labels": labels, "source": "127.0.0.2"}
            request = HTTPRequest(
                f"{url}/volumes/import",
                method="POST",
                headers={"Content-Type": "application/json", "Authorization": bearer(SECRET)},
                body=json.dumps(body),
                request_timeout=120,
            )
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        finally:
            source.stop()
    lines = [json.loads(line) for line in response.body.decode().splitlines() if line]
    return response.code, lines


def _alices_volume(docker_run):
    # Its own for each test: the others' volumes may be mounted by a container.
    name = f"agent-{docker_run.run_id}-copy{uuid.uuid4().hex[:8]}_home"
    docker_run.client.volumes.create(name, labels={**_alice_labels(), **docker_run.labels})
    return name


def _exported_and_removed(docker_run, lab_image):
    """Return a new volume of Alice's with files, as a real export streamed it, then gone."""
    name = _alices_volume(docker_run)
    _fill(docker_run, lab_image, name)

    async def exported():
        async with _agent(docker_run.client) as (url, _):
            return await _export(url, _claim(name, ALICE), lab_image)

    status, archive = asyncio.run(exported())
    assert status == 200
    docker_run.client.volumes.get(name).remove()
    return name, archive


def _copy_holders(client):
    return client.containers.list(all=True, filters={"label": f"{ROLE_LABEL}={COPY_ROLE}"})


def _alice_labels():
    return {ROLE_LABEL: USER_VOLUME_ROLE, OWNER_LABEL: ALICE, OWNER_NAME_LABEL: "alice"}


def test_an_export_is_the_accounts_volume_whole_with_its_owners_modes_and_links(
    docker_run, volumes, lab_image
):
    name = _alices_volume(docker_run)
    _fill(docker_run, lab_image, name)

    async def scenario():
        async with _agent(docker_run.client) as (url, _):
            return (
                await _export(url, _claim(name, ALICE), lab_image),
                await _export(url, _claim(volumes["bob"], ALICE, unlabelled_owned=True), lab_image),
            )

    (status, archive), (refused, _) = asyncio.run(scenario())
    assert status == 200
    assert archive.endswith(END_OF_ARCHIVE)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        members = {member.name: member for member in tar}
    assert members["./d/f"].uid == 1000
    assert members["./d/f"].mode & 0o777 == 0o640
    assert members["./link"].issym()
    assert members["./link"].linkname == "d/f"
    assert refused == 404  # Bob's volume is not exported for Alice
    assert _copy_holders(docker_run.client) == []


def test_an_import_makes_the_volume_from_the_sources_stream_with_the_accounts_labels(
    docker_run, volumes, lab_image
):
    client = docker_run.client
    name, archive = _exported_and_removed(docker_run, lab_image)

    status, lines = asyncio.run(
        _import(docker_run, _claim(name, ALICE), lab_image, archive, _alice_labels())
    )

    assert status == 200
    assert lines[-1] == {"copied_bytes": len(archive), "done": True, "error": None}
    # The run's own labels are not the hub's to give: only the account's.
    assert client.volumes.get(name).attrs["Labels"] == _alice_labels()
    listing = client.containers.run(
        lab_image,
        ["sh", "-c", "stat -c '%u %a' /v /v/d/f && cat /v/link"],
        entrypoint=[],
        volumes={name: {"bind": "/v", "mode": "ro"}},
        labels=docker_run.labels,
        remove=True,
    )
    # The volume's own folder too: a user's home is theirs after a move.
    assert listing.decode().split("\n")[:3] == ["1000 750", "1000 640", "hello"]
    assert _copy_holders(client) == []
    client.api.remove_volume(name)


def test_an_import_of_a_stream_cut_short_fails_and_leaves_no_volume(docker_run, volumes, lab_image):
    client = docker_run.client
    name, archive = _exported_and_removed(docker_run, lab_image)
    # Cut between two files: every entry is whole, the archive's end is missing.
    cut = archive[: -len(END_OF_ARCHIVE)]

    status, lines = asyncio.run(
        _import(docker_run, _claim(name, ALICE), lab_image, cut, _alice_labels())
    )

    assert status == 200
    assert lines[-1]["done"] is False
    assert "ended before the archive did" in lines[-1]["error"]
    assert name not in _present(client)
    assert _copy_holders(client) == []


def test_an_import_never_replaces_a_volume_and_labels_only_for_the_claimed_owner(
    docker_run, volumes, lab_image
):
    here = asyncio.run(
        _import(docker_run, _claim(volumes["alice"], ALICE), lab_image, b"", _alice_labels())
    )
    name = f"agent-{docker_run.run_id}-carol_home"
    bobs = {**_alice_labels(), OWNER_LABEL: BOB}
    mislabelled = asyncio.run(_import(docker_run, _claim(name, ALICE), lab_image, b"", bobs))

    assert here[0] == 409
    assert "on this node already" in here[1][0]["message"]
    assert mislabelled[0] == 400
    assert name not in _present(docker_run.client)
