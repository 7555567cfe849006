"""Fan-out delivery against real HTTP servers on loopback, standing in for labs' ingest endpoint."""

import asyncio
import json
import socket
import time

from tornado import web
from tornado.httpserver import HTTPServer

from stellars_ui.broadcasts import Recipient, deliver
from stellars_ui.broadcasts.delivery import INGEST_PATH

TOKEN = "broadcast-test-token"


class Ingest(web.RequestHandler):
    """Answers like the notifications extension: 200 to the right token, 403 otherwise."""

    def initialize(self, received, delay_s=0.0):
        self.received = received
        self.delay_s = delay_s

    async def post(self):
        await asyncio.sleep(self.delay_s)
        if self.request.headers.get("Authorization") != f"token {TOKEN}":
            raise web.HTTPError(403)
        self.received.append(json.loads(self.request.body))
        self.finish({"success": True})


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lab(received, *, delay_s=0.0, with_extension=True):
    """Start a stand-in lab on loopback; return (server, its base URL)."""
    routes = [(rf"/user/x/{INGEST_PATH}", Ingest, {"received": received, "delay_s": delay_s})]
    app = web.Application(routes if with_extension else [])
    port = free_port()
    server = HTTPServer(app)
    server.listen(port, "127.0.0.1")
    return server, f"http://127.0.0.1:{port}/user/x/"


def test_each_recipient_gets_an_outcome_with_its_reason():
    async def scenario():
        received = []
        servers = []
        ok, ok_url = lab(received)
        slow, slow_url = lab(received, delay_s=5)
        bare, bare_url = lab(received, with_extension=False)
        servers += [ok, slow, bare]
        closed_url = f"http://127.0.0.1:{free_port()}/user/x/"
        recipients = [
            Recipient("ok", ok_url),
            Recipient("slow", slow_url),
            Recipient("bare", bare_url),
            Recipient("closed", closed_url),
            Recipient("stopped", None),
            Recipient("ghost", None, known=False),
        ]
        started = time.perf_counter()
        outcomes = await deliver(
            recipients, {"message": "hi"}, token=TOKEN, concurrency=10, timeout_s=1.0
        )
        elapsed = time.perf_counter() - started
        wrong = await deliver(
            [Recipient("ok", ok_url)], {"message": "x"}, token="bad", concurrency=1, timeout_s=1.0
        )
        for server in servers:
            server.stop()
        return outcomes, wrong, received, elapsed

    outcomes, wrong, received, elapsed = asyncio.run(scenario())
    reasons = {o.username: o.reason for o in outcomes}
    assert reasons == {
        "ok": None,
        "slow": "timed out",
        "bare": "extension missing",
        "closed": "not responding",
        "stopped": "not running",
        "ghost": "unknown user",
    }
    assert [o.username for o in outcomes] == ["ok", "slow", "bare", "closed", "stopped", "ghost"]
    assert outcomes[0].delivered
    assert outcomes[0].status == 200
    assert received == [{"message": "hi"}]
    assert wrong[0].reason == "not authorized"  # one spelling across the pages and the API
    assert elapsed < 1.0 + 1.0  # one timeout, plus a margin


def test_concurrency_is_bounded():
    async def scenario():
        received = []
        server, url = lab(received, delay_s=0.2)
        started = time.perf_counter()
        outcomes = await deliver(
            [Recipient(f"u{i}", url) for i in range(10)],
            {"message": "m"},
            token=TOKEN,
            concurrency=2,
            timeout_s=5,
        )
        elapsed = time.perf_counter() - started
        server.stop()
        return outcomes, elapsed

    outcomes, elapsed = asyncio.run(scenario())
    assert all(o.delivered for o in outcomes)
    assert elapsed >= 5 * 0.2  # ten requests of 0.2 s, two at a time
