"""The platform API's OpenAPI 3.1 document, generated from the route table and the models.

Each path and operation comes from the route table (``stellars_ui.api_routes``);
each schema from its pydantic model (``model_json_schema``: OpenAPI 3.1 is
JSON Schema), so the document says what the handlers take and answer. What
no model says (the API's description, tags, security schemes, the shared
error answers) is written here once.
"""

from __future__ import annotations

import copy
import functools
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from stellars_ui.api_routes import platform_api_routes
from stellars_ui.contract import Answer
from stellars_ui.models.common import Error

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pydantic import BaseModel
    from pydantic.json_schema import JsonSchemaMode

    from stellars_ui.contract import ApiRoute, Operation

REF = "#/components/schemas/{model}"

DESCRIPTION = """\
The platform's endpoints, mounted next to JupyterHub's REST API under the
hub prefix (`/hub/` by default; the served copy of this document names
the hub's real prefix in `servers`). JupyterHub's own endpoints
(`/hub/api/users`, `/hub/api/groups`, ...) are described by JupyterHub.

**Authentication** is JupyterHub's: an API token in the `Authorization`
header (`token <token>` or `bearer <token>`), or a browser's login cookie
together with JupyterHub's XSRF token (`X-XSRFToken` header; JupyterHub
checks it on API GETs too).

**Authorisation** is a JupyterHub scope, named in each operation's
description and in its `x-scopes`: core scopes where one fits, else a
`custom:` scope the platform declares and grants to its admin. A scope
"on the user" (`!user` in `x-scopes`: the user named in the path) may be
held on that user only (`servers!user=ada`); every user holds `servers`,
`read:servers` and `read:users:activity` on themself. Without the scope the
answer is 403, the same for a user that does not exist, so that nothing
leaks about who has an account; 404 (unknown user) is only for callers who
hold the scope. Anonymous requests get 403 as well (JupyterHub's "Missing
or invalid credentials.").

**Errors** are JSON `{"status": N, "message": "..."}`: 400 bad input (the
message names each field at fault), 403 missing scope, 404 unknown user,
409 wrong state, 413 body over 64 KiB, 503 Docker engine unreachable.

**Bodies** are JSON objects, nested at most 8 levels deep (arrays and
objects); deeper ones, unknown fields and values of another type (`"1"`
for 1, 1 for `true`) are refused with 400. An endpoint that takes no
fields accepts an empty body or `{}`.

Left out: the HTML pages (`/hub/activity`, `/hub/notifications`, and any
other page the platform adds) and the static files
(`/hub/stellars/static/...`), which are for browsers, not API clients; the
package README lists them with their scopes.
"""

TAGS = {
    "platform": "the platform itself",
    "servers": "a user's server and its volumes",
    "sessions": "the idle culler's clock",
    "activity": "activity monitoring",
    "notifications": "broadcasts into running JupyterLabs",
    "accounts": "accounts an admin has just created, deleted accounts and their volumes",
    "policies": "group policies: resources, GPUs, profiles, Docker access, caps and quotas",
}

# The answers errors share, by status: (component name, description).
ERROR_ANSWERS = {
    400: ("BadRequest", "bad input; the message names what, and nothing was done"),
    403: (
        "Forbidden",
        (
            "the caller lacks the scope (also for a user that does not exist), "
            "or sent no valid credentials"
        ),
    ),
    404: ("UnknownUser", "no such user (only for callers who hold the scope)"),
    409: ("Conflict", "the server or the hub is not in a state that allows it"),
    413: ("TooLarge", "the body is over 64 KiB"),
    501: ("DockerNotUsed", "the hub's servers are not Docker containers (the local spawner)"),
    503: ("DockerUnavailable", "the Docker engine does not answer"),
}

PARAMETERS = {
    "name": ("UserName", "the JupyterHub username"),
    "volume": ("VolumeName", "a volume's name on the engine"),
    "group": ("GroupName", "the JupyterHub group's name"),
    "broadcast": ("BroadcastId", "a broadcast's `id`, as the history answers it"),
}

COMPONENTS_BESIDE_SCHEMAS: dict[str, Any] = {
    "securitySchemes": {
        "token": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A JupyterHub API token: `Authorization: token <token>`.",
        },
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "The same token as a bearer token: `Authorization: bearer <token>`.",
        },
        "cookie": {
            "type": "apiKey",
            "in": "cookie",
            "name": "jupyterhub-hub-login",
            "description": "A browser's JupyterHub login cookie; the request must also carry "
            "JupyterHub's XSRF token in the `X-XSRFToken` header (GETs too), and a POST's "
            "`Content-Type` must be `application/json` when given.",
        },
    },
    "parameters": {
        component: {
            "name": name,
            "in": "path",
            "required": True,
            "description": description,
            "schema": {"type": "string", "minLength": 1},
        }
        for name, (component, description) in PARAMETERS.items()
    },
    "headers": {
        "NoStore": {
            "description": "`no-store`: never kept by a browser or a proxy",
            "schema": {"type": "string", "const": "no-store"},
        }
    },
    "responses": {
        component: {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
        }
        for component, description in ERROR_ANSWERS.values()
    },
}


PAGINATION_MEDIA_TYPE = "application/jupyterhub-pagination+json"


def load_openapi(routes: Sequence[ApiRoute] | None = None) -> dict[str, Any]:
    """Return the platform API's OpenAPI document, generated from *routes*.

    *routes* are the ones the hub serves; by default every route, the Docker
    ones included (``platform_api_routes(docker=True)``).

    Builds every model's schema: call it once at start-up (``extra_handlers()``
    does), never from a handler.

    Raises:
        ValueError: two different models share a name, so one schema would hide the other.
    """
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for route in platform_api_routes(docker=True) if routes is None else routes:
        paths[route.path] = _path_item(route, schemas)
    _add_schema(Error, "serialization", schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Stellars Hub platform API",
            "version": version("stellars-ui"),
            "summary": "The endpoints Stellars Hub adds to JupyterHub's own REST API.",
            "description": DESCRIPTION,
            "license": {"name": "BSD-3-Clause", "identifier": "BSD-3-Clause"},
        },
        "servers": [{"url": "/hub", "description": "the hub prefix of a hub at the server's root"}],
        "security": [{"token": []}, {"bearer": []}, {"cookie": []}],
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
        "paths": paths,
        "components": {**COMPONENTS_BESIDE_SCHEMAS, "schemas": dict(sorted(schemas.items()))},
    }


def _path_item(route: ApiRoute, schemas: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    parameters = [
        {"$ref": f"#/components/parameters/{PARAMETERS[name][0]}"}
        for name in PARAMETERS
        if f"{{{name}}}" in route.path
    ]
    if parameters:
        item["parameters"] = parameters
    for operation in route.operations:
        item[operation.method] = _operation(operation, schemas)
    return item


def _operation(operation: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "operationId": operation.operation_id,
        "tags": [operation.tag],
        "summary": operation.summary,
        "description": operation.description,
        "x-scopes": list(operation.scopes),
    }
    if not operation.scopes:
        document["security"] = []  # public: no credentials needed
    if operation.query:
        document["parameters"] = [dict(parameter) for parameter in operation.query]
    if operation.request is not None:
        media: dict[str, Any] = {"schema": _add_schema(operation.request, "validation", schemas)}
        if operation.example is not None:
            media["example"] = dict(operation.example)
        document["requestBody"] = {
            "required": operation.request_required,
            "content": {"application/json": media},
        }
    answers: dict[int, Any] = {}
    if operation.response is not None:
        answers[200] = _answer(Answer("the answer", (operation.response,)), schemas)
    if operation.paged_response is not None:
        # JupyterHub's paging media type: what a client that asks for it gets instead.
        answers[200]["content"][PAGINATION_MEDIA_TYPE] = {
            "schema": _add_schema(operation.paged_response, "serialization", schemas)
        }
    for status in operation.errors:
        answers[status] = {"$ref": f"#/components/responses/{ERROR_ANSWERS[status][0]}"}
    for status, answer in operation.answers.items():
        answers[status] = _answer(answer, schemas)
    document["responses"] = {str(status): answers[status] for status in sorted(answers)}
    return document


def _answer(answer: Answer, schemas: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {"description": answer.description}
    if answer.headers:
        document["headers"] = dict(answer.headers)
    refs = [_add_schema(model, "serialization", schemas) for model in answer.models]
    schema = dict(answer.schema) if answer.schema is not None else None
    if refs:
        schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
    if schema is not None:
        document["content"] = {media: {"schema": schema} for media in answer.media_types}
    return document


def _add_schema(
    model: type[BaseModel], mode: JsonSchemaMode, schemas: dict[str, Any]
) -> dict[str, Any]:
    """Put *model*'s schema and those it refers to in *schemas*; return a reference to it."""
    # A copy: the document is the caller's to change, the cached schema is not.
    schema = copy.deepcopy(_model_schema(model, mode))
    definitions = schema.pop("$defs", {})
    for name, definition in [*definitions.items(), (model.__name__, schema)]:
        if schemas.setdefault(name, definition) != definition:
            raise ValueError(f"two schemas are named {name!r}: rename one of the models")
    return {"$ref": REF.format(model=model.__name__)}


@functools.cache
def _model_schema(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
    """Return *model*'s JSON schema in *mode*, made once per process.

    pydantic builds it anew on each call, and it is most of the cost of the
    document, which every hub start makes (for its route table) and the
    tests' hubs make by the hundred: a process that makes one document first
    hands the schemas to every process forked from it.
    """
    return model.model_json_schema(ref_template=REF, mode=mode)
