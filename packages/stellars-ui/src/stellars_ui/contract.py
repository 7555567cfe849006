"""The shape of the platform API's route table: each path, its handler and its operations.

The table itself is :data:`stellars_ui.api_routes.API_ROUTES`; from it come
both the Tornado routes (``extra_handlers()``) and the OpenAPI document
(:mod:`stellars_ui.openapi`), so an endpoint cannot be served without a
documented contract, nor documented without being served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pydantic import BaseModel

# A path parameter -> the Tornado group it matches (one path segment).
PATH_GROUPS = {
    "name": r"(?P<user_name>[^/]+)",
    "volume": r"(?P<volume>[^/]+)",
    "group": r"(?P<group>[^/]+)",
    "broadcast": r"(?P<broadcast>[^/]+)",
}
_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Answer:
    """A documented answer other than the shared error answers.

    Attributes:
        description: what it means.
        models: the body's models (one of them when several), none for an empty body.
        headers: OpenAPI header objects by name.
        schema: a literal schema for a body no model describes (this document itself).
        media_types: the body's media types (a file an endpoint sends is not JSON).
    """

    description: str
    models: tuple[type[BaseModel], ...] = ()
    headers: Mapping[str, Any] = field(default_factory=dict)
    schema: Mapping[str, Any] | None = None
    media_types: tuple[str, ...] = ("application/json",)


@dataclass(frozen=True)
class Operation:
    """One method of a path, as the document describes it and the handler implements it.

    Attributes:
        method: ``get``, ``post`` or ``delete``.
        operation_id: the OpenAPI ``operationId``.
        tag: the document's tag it is listed under.
        summary: one line.
        description: the rest, scopes and statuses in words.
        scopes: the JupyterHub scopes it needs (``!user``: on the user in the
            path); empty for a public operation.
        request: the body's model, or None for an operation without a body.
        request_required: whether a body must be sent (else an empty one reads as ``{}``).
        example: a request body example.
        response: the 200 answer's model.
        errors: the statuses answered with the shared error answers.
        answers: answers documented otherwise, by status (they win over *errors*).
        paged_response: the 200 answer's model for a client that sends JupyterHub's
            pagination media type, when it differs.
        query: the query parameters it reads, as OpenAPI parameter objects.
    """

    method: str
    operation_id: str
    tag: str
    summary: str
    description: str
    scopes: tuple[str, ...]
    response: type[BaseModel] | None
    request: type[BaseModel] | None = None
    request_required: bool = False
    example: Mapping[str, Any] | None = None
    errors: tuple[int, ...] = ()
    answers: Mapping[int, Answer] = field(default_factory=dict)
    paged_response: type[BaseModel] | None = None
    query: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class ApiRoute:
    """A path of the platform API (relative to the hub prefix), its handler and operations.

    Attributes:
        path: the OpenAPI path, ``{name}`` for a username, ``{volume}`` for a volume,
            ``{group}`` for a hub group, ``{broadcast}`` for a broadcast's id.
        handler: the Tornado handler class.
        operations: one per method the handler implements.
    """

    path: str
    handler: type[Any]
    operations: tuple[Operation, ...]

    @property
    def pattern(self) -> str:
        """Return the Tornado pattern of :attr:`path`: literal text, parameters as groups."""
        parts = _PARAMETER.split(self.path)
        # split() alternates literal text and parameter names; the text's one
        # character a pattern reads otherwise is the dot (openapi.json).
        return "".join(
            PATH_GROUPS[part] if index % 2 else part.replace(".", r"\.")
            for index, part in enumerate(parts)
        )
