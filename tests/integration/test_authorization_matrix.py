"""Who may call what: every platform ``/api/`` endpoint against every kind of caller.

One row per endpoint and method; each row is asked by:

- ``anonymous``: no credentials at all;
- ``self``: a plain user on themself (per-user endpoints), ``user``: a plain
  user (the others);
- ``other``: a plain user on another user (per-user endpoints);
- ``admin``: the platform admin's token (JupyterHub's admin role and the
  platform's own);
- ``scoped``: a token holding exactly the scope the endpoint needs, of a
  user who was given only that scope, through a role of their own;
- ``unscoped``: a token of that same user that does not hold it (the user
  does; the token does not: the check is on the token's scopes);
- ``filtered-admin``: a token holding only ``admin:groups!group=docker-privileged``,
  ``group-token``: one holding only ``groups!group=docker-sock`` (what a
  deployment hands to whoever manages those groups): neither is any admin;
- ``runtime-admin``: a token of a user made admin at runtime
  (``PATCH /hub/api/users/{name}``, what the admin page sends): a platform
  admin like the configured one.

The expected codes are the package README's contract: 403 without the
scope (anonymous included: JupyterHub's "Missing or invalid credentials."),
and what the hub's state makes of an authorised call. Bodies are valid
and the calls harmless, so that an authorised caller never gets a 400:
the state decides (a broadcast to a user without a server: 200, "not
running"; extending a session with no culler: 409).

Every answer is also checked against the OpenAPI document the hub serves:
a 2xx body against the schema of its status, an error against ``Error``.

Adding an endpoint means adding a row: ``test_every_api_route_has_a_row``
fails until it has one.
"""

import re
from dataclasses import dataclass, field

import pytest
import requests
from accounts import local_platform, user_token
from jupyterhub.apihandlers import APIHandler
from openapi_schema_validator import OAS31Validator

from stellars_ui import extra_handlers

ADMIN = "boss"
PASSWORD = "authorization-matrix-passphrase"
LOCAL = local_platform(ADMIN, PASSWORD)
TARGET = "ada"  # the user the per-user endpoints are called on; no server running
OTHER = "bo"  # a plain user, calling on TARGET
UNKNOWN = "nobody-at-all"  # no such account
ARCHIVED = f"jupyterlab-{UNKNOWN}_home"  # the archive endpoints' {volume}
ARCHIVE = "custom:volumes:archive"
GROUP = "docker-sock"  # the group-policy endpoints' {group}: it exists on every platform hub
BROADCAST_ID = "999999"  # the history endpoint's {broadcast}: no broadcast is ever sent here
READ_POLICIES = "custom:group-policies:read"
WRITE_POLICIES = "custom:group-policies:write"

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
ANYONE = ("anonymous", "user", "admin")
DEPLOYMENT_CALLERS = ("filtered-admin", "group-token", "runtime-admin")
GLOBAL_CALLERS = ("anonymous", "user", "admin", "scoped", "unscoped", *DEPLOYMENT_CALLERS)
PER_USER_CALLERS = (
    "anonymous",
    "self",
    "other",
    "admin",
    "scoped",
    "unscoped",
    *DEPLOYMENT_CALLERS,
)
GROUP_MANAGER = "group-manager"  # holds the two group-filtered scopes, through a role
PROMOTED = "promoted"  # made admin at runtime
GROUP_SCOPES = {
    "filtered-admin": "admin:groups!group=docker-privileged",
    "group-token": "groups!group=docker-sock",
}


@dataclass(frozen=True)
class Row:
    """One endpoint and method, the scope it needs, a valid body, and each caller's answer."""

    method: str
    path: str  # relative to /hub/api/, as in the OpenAPI document less "/api/"
    scope: str | None  # None: public
    codes: dict[str, int]
    body: dict | None = None
    why: str = ""
    callers: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        if self.scope is None:
            callers = ANYONE
        elif "{name}" in self.path:
            callers = PER_USER_CALLERS
        else:
            callers = GLOBAL_CALLERS
        assert set(self.codes) == set(callers), f"{self.method} {self.path}: {sorted(self.codes)}"
        object.__setattr__(self, "callers", callers)


def public(code):
    """Anyone gets *code*: the endpoint needs no credentials."""
    return dict.fromkeys(ANYONE, code)


def on_a_user(authorised):
    """A scope on the user: the user themself, admin and the holder get *authorised*."""
    return {
        "anonymous": 403,
        "self": authorised,
        "other": 403,
        "admin": authorised,
        "scoped": authorised,
        "unscoped": 403,
        "filtered-admin": 403,
        "group-token": 403,
        "runtime-admin": authorised,
    }


def platform_wide(authorised, *, plain_user=403):
    """An unfiltered scope: admin and the holder get *authorised*, a plain user *plain_user*."""
    return {
        "anonymous": 403,
        "user": plain_user,
        "admin": authorised,
        "scoped": authorised,
        "unscoped": 403,
        "filtered-admin": 403,
        "group-token": 403,
        "runtime-admin": authorised,
    }


# Servers are processes with the local spawner: the hub has no Docker runtime,
# and the Docker-only endpoints answer an authorised caller 501 (nothing to act
# on). The scope check comes first, so nobody without the scope learns even that.
NO_DOCKER = 501

ROWS = [
    Row("GET", "stellars/info", "read:hub", platform_wide(200)),
    Row("GET", "stellars/docker-grants", "custom:docker-grants:read", platform_wide(200)),
    Row("GET", "stellars/health", None, public(200), why="for load balancers"),
    Row("GET", "stellars/openapi.json", None, public(200), why="documentation"),
    Row("GET", "users/{name}/manage-volumes", "read:servers", on_a_user(NO_DOCKER)),
    Row(
        "DELETE",
        "users/{name}/manage-volumes",
        "servers",
        on_a_user(NO_DOCKER),
        body={"volumes": ["cache"]},
    ),
    Row(
        "DELETE",
        "users/{name}/account",
        "admin:users",
        # Not on themself: a plain user holds no admin:users, not even on their own account.
        {**on_a_user(NO_DOCKER), "self": 403},
        body={"volumes": "archive"},
        why="the engine is asked before anything is deleted: nothing is",
    ),
    Row("GET", "stellars/archived-volumes", ARCHIVE, platform_wide(NO_DOCKER)),
    Row("DELETE", "stellars/archived-volumes/{volume}", ARCHIVE, platform_wide(NO_DOCKER)),
    Row(
        "POST",
        "stellars/archived-volumes/{volume}/assign",
        ARCHIVE,
        platform_wide(NO_DOCKER),
        body={"user": TARGET},
    ),
    Row("POST", "users/{name}/restart-server", "servers", on_a_user(NO_DOCKER), body={}),
    Row(
        "GET",
        "stellars/swarm-nodes",
        "admin:servers",
        platform_wide(NO_DOCKER),
        why="the nodes are the whole platform's: admin:servers on some users is not enough",
    ),
    Row("GET", "users/{name}/node", "read:servers", on_a_user(NO_DOCKER)),
    Row(
        "POST",
        "users/{name}/node",
        "admin:servers",
        {**on_a_user(NO_DOCKER), "self": 403},
        body={"node": "worker-2"},
        why="moving a user is an admin's: a user may not move themself, though they may see it",
    ),
    Row("GET", "users/{name}/session-info", "read:servers", on_a_user(200)),
    Row("GET", "users/{name}/quota", "read:servers", on_a_user(200)),
    Row("GET", "users/{name}/server-stats", "read:servers", on_a_user(200)),
    Row("POST", "users/{name}/volume-sizes", "servers", on_a_user(NO_DOCKER), body={}),
    Row(
        "POST",
        "users/{name}/extend-session",
        "servers",
        on_a_user(409),
        body={"hours": 1},
        why="no culler runs on this hub: 409 is the authorised answer",
    ),
    # A plain user holds read:users:activity on themself: their own row.
    Row("GET", "activity", "read:users:activity", platform_wide(200, plain_user=200)),
    # The same readers, the same rows (a plain user's file holds their own row).
    Row("GET", "activity/export", "read:users:activity", platform_wide(200, plain_user=200)),
    Row("POST", "activity/reset", "custom:activity:reset", platform_wide(200), body={}),
    Row("POST", "activity/sample", "custom:activity:sample", platform_wide(200), body={}),
    Row(
        "POST",
        "admin/credentials",
        "custom:credentials:read",
        platform_wide(200),
        body={"usernames": [UNKNOWN]},
        why="nothing to take: it answers unavailable",
    ),
    Row(
        "GET", "notifications/active-servers", "custom:notifications:broadcast", platform_wide(200)
    ),
    Row(
        "POST",
        "notifications/broadcast",
        "custom:notifications:broadcast",
        platform_wide(200),
        body={"message": "authorisation matrix", "recipients": [TARGET]},
        why=f"{TARGET} has no server: one 'not running' result, nothing sent",
    ),
    Row("GET", "notifications/history", "custom:notifications:broadcast", platform_wide(200)),
    Row(
        "DELETE",
        "notifications/history/{broadcast}",
        "custom:notifications:broadcast",
        platform_wide(404),
        why="no broadcast has that id: the scope is checked before the id is looked up",
    ),
    Row("GET", "stellars/group-policies", READ_POLICIES, platform_wide(200)),
    Row("GET", "stellars/group-policies/{group}", READ_POLICIES, platform_wide(200)),
    Row(
        "PUT",
        "stellars/group-policies/{group}",
        WRITE_POLICIES,
        platform_wide(200),
        body={"policy": {"cpu_limit": 1}},
        why="a limit on a built-in group: its access stays",
    ),
    Row("DELETE", "stellars/group-policies/{group}", WRITE_POLICIES, platform_wide(200)),
    # read:servers on the user: the user themself and admins, never another user.
    Row("GET", "users/{name}/effective-policy", "read:servers", on_a_user(200)),
]
SCOPES = sorted({row.scope for row in ROWS if row.scope is not None})


def holder(scope):
    """Return the name of the user who holds *scope*, and only it, through a role."""
    return "holds-" + re.sub(r"[^a-z]+", "-", scope)


# Appended to the platform's config: one role per scope, each given to its holder
# (JupyterHub creates a user named in a role at start-up).
ROLES = "".join(
    f"c.JupyterHub.load_roles.append({{'name': {holder(scope)!r}, 'scopes': [{scope!r}],"
    f" 'users': [{holder(scope)!r}]}})\n"
    for scope in SCOPES
) + (
    # The Docker-access groups exist with Docker only; the filters below name them.
    "c.JupyterHub.load_groups = {'docker-sock': {}, 'docker-privileged': {}}\n"
    f"c.JupyterHub.load_roles.append({{'name': 'group-manager', "
    f"'scopes': {sorted(GROUP_SCOPES.values())!r}, 'users': [{GROUP_MANAGER!r}]}})\n"
)


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    return module_platform_hub(LOCAL, ROLES)


@pytest.fixture(scope="module")
def tokens(hub):
    """Every caller's token: {caller: token}, and {(caller, scope): token} for the holders."""
    found = {"anonymous": None, "admin": user_token(hub, ADMIN)}
    found["self"] = found["user"] = hub.create_user(TARGET)
    found["other"] = hub.create_user(OTHER)
    for scope in SCOPES:
        name = holder(scope)
        found["scoped", scope] = user_token(hub, name, [scope])
        # A scope the holder has (on themself) that no platform endpoint needs.
        found["unscoped", scope] = user_token(hub, name, [f"access:servers!user={name}"])
    for caller, scope in GROUP_SCOPES.items():
        found[caller] = user_token(hub, GROUP_MANAGER, [scope])
    hub.create_user(PROMOTED)
    response = call(hub, "PATCH", f"users/{PROMOTED}", found["admin"], {"admin": True})
    assert response.status_code == 200, response.text
    found["runtime-admin"] = user_token(hub, PROMOTED)
    return found


@pytest.fixture(scope="module")
def document(hub):
    response = requests.get(hub.hub_url("api/stellars/openapi.json"), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def call(hub, method, path, token, body=None):
    """Call /hub/api/<path> with *token*, or with no credentials at all when it is None."""
    headers = {} if token is None else {"Authorization": f"token {token}"}
    return requests.request(
        method, hub.hub_url(f"api/{path}"), headers=headers, json=body, timeout=60
    )


def resolve(document, node):
    """Follow local ``$ref``s (``#/components/...``) in *document* until a real object."""
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = document
        for part in ref[2:].split("/"):
            node = node[part]
    return node


def answer_schema(document, method, path, status):
    """Return the JSON schema the document gives for *status* of *method* on /api/<path>."""
    operation = document["paths"][f"/api/{path}"][method.lower()]
    response = operation["responses"].get(str(status))
    assert response is not None, f"{method} /api/{path}: {status} is not documented"
    response = resolve(document, response)
    return response["content"]["application/json"]["schema"]


def answer_media_types(document, row, status):
    operation = document["paths"][f"/api/{row.path}"][row.method.lower()]
    return set(resolve(document, operation["responses"][str(status)])["content"])


def documented_as_json(document, row, status):
    return "application/json" in answer_media_types(document, row, status)


def check_against_document(document, row, response):
    schema = answer_schema(document, row.method, row.path, response.status_code)
    # The schema's $refs point into the document's components.
    validator = OAS31Validator(
        {"allOf": [schema], "components": document["components"]},
        format_checker=OAS31Validator.FORMAT_CHECKER,
    )
    errors = [error.message for error in validator.iter_errors(response.json())]
    assert errors == [], f"{row.method} {row.path} {response.status_code}: {errors}"


CASES = [
    pytest.param(row, caller, id=f"{row.method} {row.path} as {caller}")
    for row in ROWS
    for caller in row.callers
]


@pytest.mark.parametrize(("row", "caller"), CASES)
def test_the_caller_gets_the_expected_answer(hub, tokens, document, row, caller):
    token = tokens.get((caller, row.scope), tokens.get(caller))
    # Every caller calls on TARGET: "self" is TARGET, "other" is OTHER.
    path = (
        row.path.replace("{name}", TARGET)
        .replace("{volume}", ARCHIVED)
        .replace("{group}", GROUP)
        .replace("{broadcast}", BROADCAST_ID)
    )
    response = call(hub, row.method, path, token, row.body)
    expected = row.codes[caller]
    assert response.status_code == expected, (
        f"{row.method} /hub/api/{path} as {caller}: {response.status_code} {response.text}"
        f"{f' ({row.why})' if row.why else ''}"
    )
    if expected < 400 and not documented_as_json(document, row, expected):
        # A file (the activity export): its media type is one the document names.
        media = response.headers["Content-Type"].split(";")[0]
        assert media in answer_media_types(document, row, expected)
        return
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    if expected >= 400:
        assert body["status"] == expected, body
    check_against_document(document, row, response)


PER_USER_ROWS = [row for row in ROWS if "{name}" in row.path]


@pytest.mark.parametrize(
    "row", [pytest.param(row, id=f"{row.method} {row.path}") for row in PER_USER_ROWS]
)
def test_an_unknown_user_is_403_without_the_scope_and_404_with_it(hub, tokens, document, row):
    path = row.path.replace("{name}", UNKNOWN)
    # Without the scope, the same 403 as for an existing user: nothing says who has an account.
    without = call(hub, row.method, path, tokens["other"], row.body)
    assert without.status_code == 403, without.text
    for caller in ("admin", "scoped"):
        token = tokens.get((caller, row.scope), tokens.get(caller))
        response = call(hub, row.method, path, token, row.body)
        assert response.status_code == 404, f"{caller}: {response.text}"
        check_against_document(document, row, response)


def implemented_methods(handler_class):
    return {
        method.upper()
        for method in HTTP_METHODS
        if getattr(handler_class, method) is not getattr(APIHandler, method)
    }


def routed_endpoints():
    """Return {(METHOD, path relative to /hub/api/)} of every routed /api/ endpoint."""
    found = set()
    for route, handler_class, *_ in extra_handlers():
        if not route.startswith("/api/"):
            continue
        path = re.sub(
            r"\(\?P<(\w+)>[^)]*\)",
            lambda group: "{name}" if group[1] == "user_name" else f"{{{group[1]}}}",
            route.removeprefix("/api/"),
        )
        path = re.sub(r"\\(.)", r"\1", path)  # an escaped character stands for itself
        found |= {(method, path) for method in implemented_methods(handler_class)}
    return found


def test_every_api_route_has_a_row():
    rows = {(row.method, row.path) for row in ROWS}
    assert len(rows) == len(ROWS), "two rows for one endpoint"
    assert sorted(routed_endpoints() - rows) == [], "routed endpoints without a row"
    assert sorted(rows - routed_endpoints()) == [], "rows for endpoints that are not routed"
