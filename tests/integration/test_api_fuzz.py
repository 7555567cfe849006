"""The platform API under a fuzzer: every operation of the OpenAPI document, against a real hub.

Schemathesis makes the requests from the document the hub serves at
``/hub/api/stellars/openapi.json`` (the file the package ships: the first
test checks that they are the same, so that the operations can be listed
when the tests are collected, before any hub runs). Its phases, for each
operation: the document's own examples; "coverage" cases (boundary values,
missing and unknown fields, wrong types, bodies that are not objects, a
malformed Content-Type, methods the operation does not have); and generated
inputs, valid and invalid. A per-user path's ``{name}`` is a user who exists
(one with a running local server), an odd name (unknown, other case,
slashes, dots, escapes, very long, markup) or one the fuzzer makes up; a
group path's ``{group}`` likewise a group that exists, an odd name or a
made-up one.

Each operation is called as the platform admin, so that authorisation does
not hide how a handler takes its input, and anonymously (no token, or one
the fuzzer made up). Every answer must:

- not be a 5xx, except the 501 the Docker-only endpoints give on this hub
  (local spawner: no Docker runtime to act on), which the document gives;
- have a status code, content type, headers and body that the document
  gives for that operation;
- not refuse with a 400 a request that the document allows, nor accept one
  that it does not.

The fuzzing phase makes at most 25 examples per operation and caller, from
a fixed seed, so each run sends the same ~1200 requests: about 30 s with the
hub's start on a 2-core machine. No state change can hurt the module: with
the local spawner restarting and deleting volumes answer 501, extending a
session 409 (no culler), and deleting an account asks the engine (501 here)
before it deletes anything.
"""

from urllib.parse import urlsplit

import hypothesis.strategies as st
import pytest
import requests
import schemathesis
from accounts import local_platform
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from stellars_ui.openapi import load_openapi

# The handlers parse and check their own input (stellars_ui.json_body), the
# same under any JupyterHub; what JupyterHub adds to an answer (who is asking,
# the scopes, the JSON error) the authorization matrix checks on every version.
pytestmark = pytest.mark.same_on_every_jupyterhub

ADMIN = "boss"
PASSWORD = "api-fuzz-passphrase"
LOCAL = local_platform(ADMIN, PASSWORD)
RUNNING = "ada"  # has a running local server: broadcasts reach a real one
IDLE = "bo"  # has no server
UNKNOWN = "nobody-at-all"  # no such account
# What {name} is drawn from besides the fuzzer's own strings: the users
# who exist (the admin too) and names no account has, some that no account
# can have.
USERS = [ADMIN, RUNNING, IDLE]
ODD_NAMES = [
    UNKNOWN,
    "ADA",
    " ada",
    "ada/extra",
    "..",
    "%2e%2e",
    "ünïcödé-名前",
    "a" * 300,
    "<script>alert(1)</script>",
    "ada?admin=true",
    "ada#fragment",
    "'; DROP TABLE users; --",
]

# The endpoints that act on Docker: with the local spawner they answer an
# authorised caller 501, as the document says.
DOCKER_ONLY = {
    ("GET", "/api/users/{name}/manage-volumes"),
    ("DELETE", "/api/users/{name}/manage-volumes"),
    ("POST", "/api/users/{name}/restart-server"),
    ("POST", "/api/users/{name}/volume-sizes"),
    ("GET", "/api/stellars/swarm-nodes"),
    ("GET", "/api/users/{name}/node"),
    ("POST", "/api/users/{name}/node"),
    ("DELETE", "/api/users/{name}/account"),
    ("GET", "/api/stellars/archived-volumes"),
    ("DELETE", "/api/stellars/archived-volumes/{volume}"),
    ("POST", "/api/stellars/archived-volumes/{volume}/assign"),
    # A policy offering profiles: their images are checked on an engine.
    ("PUT", "/api/stellars/group-policies/{group}"),
}
GROUPS = ["fuzzed", "docker-sock", "docker-privileged"]  # groups that exist
ODD_GROUPS = ["no-such-group", "FUZZED", "..", "%2e%2e", "<b>x</b>", "g" * 300]
# A policy's fields depend on each other (a guarantee under its limit, a
# default profile among the profiles, no variable the hub sets): JSON Schema
# cannot say so, and a body the document allows may be refused with 400
# naming the rule. The other checks, negative data included, still apply.
CROSS_FIELD_RULES = {("PUT", "/api/stellars/group-policies/{group}")}
# What the document promises of every answer. Schemathesis' unsupported_method
# is not here: a method a handler lacks gets tornado's 405 without an Allow
# header, on JupyterHub's own routes as on the platform's (not ours to change).
CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# A request the document allows is not refused with a 400, one it does not
# allow is (the schemas are the handlers' input rules).
ACCEPTANCE = [positive_data_acceptance, negative_data_rejection]


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261126,
        "generation": {
            "mode": "all",  # valid and invalid inputs
            "max-examples": 25,  # per operation and caller, in the fuzzing phase
            "deterministic": True,
            "database": "none",
        },
        "checks": {
            # Schemathesis' own list, and 413: a body over the cap (a policy's
            # fields together allow more than 64 KiB) is refused before it is read.
            "negative_data_rejection": {
                "expected-statuses": [
                    "400",
                    "401",
                    "403",
                    "404",
                    "405",
                    "406",
                    "409",
                    "413",
                    "415",
                    "422",
                    "428",
                    "429",
                    "5xx",
                ]
            }
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)
# The file the hub serves (test_the_fuzzed_document_is_the_served_one checks
# that it is); read here so that each operation is a test of its own.
DOCUMENT = load_openapi()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


@SCHEMA.hook
def flatmap_path_parameters(context, path_parameters):
    """Give ``{name}`` a user's name, an odd one or a generated string, a third each.

    ``{group}`` likewise: a group that exists, an odd name or a generated one.
    """
    if path_parameters and "group" in path_parameters:
        return st.one_of(
            st.sampled_from(GROUPS).map(lambda name: {**path_parameters, "group": name}),
            st.sampled_from(ODD_GROUPS).map(lambda name: {**path_parameters, "group": name}),
            st.just(path_parameters),
        )
    if not path_parameters or "name" not in path_parameters:
        return st.just(path_parameters)
    return st.one_of(
        st.sampled_from(USERS).map(lambda name: {**path_parameters, "name": name}),
        st.sampled_from(ODD_NAMES).map(lambda name: {**path_parameters, "name": name}),
        st.just(path_parameters),
    )


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    hub = module_platform_hub(
        LOCAL,
        "c.JupyterHub.load_groups = "
        "{name: {} for name in ('fuzzed', 'docker-sock', 'docker-privileged')}\n",
    )
    hub.create_user(RUNNING)
    hub.create_user(IDLE)
    hub.api("POST", f"users/{RUNNING}/server").raise_for_status()
    hub.wait_for_server(RUNNING, running=True)
    return hub


@pytest.fixture(scope="module")
def served(hub):
    response = requests.get(hub.hub_url("api/stellars/openapi.json"), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def base_url(hub, served):
    """The hub's origin and the prefix the served document names in ``servers``."""
    origin = urlsplit(hub.url)
    return f"{origin.scheme}://{origin.netloc}{served['servers'][0]['url']}"


def test_the_fuzzed_document_is_the_served_one(hub, served):
    assert {**served, "servers": DOCUMENT["servers"]} == DOCUMENT
    assert served["servers"][0]["url"] == urlsplit(hub.hub_url()).path.rstrip("/")


def call_and_check(case, base_url, headers):
    """Send *case*; fail on a 5xx it may not give, or an answer outside the document."""
    response = case.call(base_url=base_url, headers=headers, timeout=30)
    status = response.status_code
    operation = (case.method.upper(), case.operation.path)
    allowed = status < 500 or (status == 501 and operation in DOCKER_ONLY)
    assert allowed, (
        f"{status} from {case.method} {case.formatted_path}\n"
        f"{case.as_curl_command(base_url=base_url)}\n"
        f"{response.text[:2000]}"
    )
    acceptance = ACCEPTANCE
    if operation in CROSS_FIELD_RULES:
        acceptance = [negative_data_rejection]
    case.validate_response(response, checks=CONFORMANCE + acceptance)


@SCHEMA.parametrize()
def test_as_the_admin(case, hub, base_url, admin_token):
    call_and_check(case, base_url, {"Authorization": f"token {admin_token}"})


@SCHEMA.parametrize()
def test_anonymously(case, hub, base_url):
    call_and_check(case, base_url, {})
