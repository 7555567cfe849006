"""The platform API's route table: every endpoint, its handler, scopes, models and statuses.

The single source of both the routes (``stellars_ui.routes.extra_handlers``)
and the OpenAPI document (``stellars_ui.openapi``). The statuses in
``errors`` are answered with ``{"status", "message"}`` (``models.common.Error``).

This module holds the endpoints that need no Docker; those that act on
containers, volumes or group policies are in ``stellars_ui.docker_api_routes``,
which is imported only for a hub whose servers are Docker containers, so a hub
without stellars-docker installed (Kubernetes) never imports it.
"""

from __future__ import annotations

from stellars_activity.listing import SortKey, SortOrder, StateFilter
from stellars_ui.activity_export import ExportFormat
from stellars_ui.contract import Answer, ApiRoute, Operation
from stellars_ui.handlers.activity import (
    ActivityExportHandler,
    ActivityHandler,
    ActivityResetHandler,
    ActivitySampleHandler,
)
from stellars_ui.handlers.credentials import CredentialsHandler
from stellars_ui.handlers.health import HealthHandler
from stellars_ui.handlers.info import InfoHandler
from stellars_ui.handlers.notifications import (
    ActiveServersHandler,
    BroadcastHandler,
    BroadcastHistoryEntryHandler,
    BroadcastHistoryHandler,
)
from stellars_ui.handlers.openapi import OpenAPIHandler
from stellars_ui.handlers.sessions import ExtendSessionHandler, SessionInfoHandler
from stellars_ui.models.accounts import Credentials, CredentialsRequest
from stellars_ui.models.activity import (
    Activity,
    ActivityPage,
    ActivityReset,
    ActivitySampled,
)
from stellars_ui.models.common import Error, NoFields
from stellars_ui.models.notifications import (
    ActiveServers,
    BroadcastBody,
    BroadcastDeleted,
    BroadcastHistoryAnswer,
    BroadcastReport,
)
from stellars_ui.models.platform import Health, Info
from stellars_ui.models.sessions import Extended, Extension, SessionInfo

NO_STORE = {"Cache-Control": {"$ref": "#/components/headers/NoStore"}}
BROADCAST = "custom:notifications:broadcast"


def _query(name: str, description: str, schema: dict[str, object]) -> dict[str, object]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


# The Activity table's search, filter and sort (stellars_activity.listing), and its paging.
ACTIVITY_FILTERS = (
    _query("name", "a part of the username, any case", {"type": "string", "maxLength": 255}),
    _query(
        "state",
        "one filter",
        {"enum": [state.value for state in StateFilter]},
    ),
    _query("sort", "the column", {"enum": [key.value for key in SortKey]}),
    _query("order", "missing values last either way", {"enum": [o.value for o in SortOrder]}),
)
ACTIVITY_PAGING = (
    _query("offset", "rows skipped", {"type": "integer", "minimum": 0}),
    _query(
        "limit",
        "rows on the page: JupyterHub's default and maximum (above it: the maximum; 0: 1)",
        {"type": "integer", "minimum": 0},
    ),
)

API_ROUTES: tuple[ApiRoute, ...] = (
    ApiRoute(
        "/api/activity",
        ActivityHandler,
        (
            Operation(
                "get",
                "getActivity",
                "activity",
                "A page of the readable users' activity, resources and server state",
                "Scope: `read:users:activity`. The rows are the users the caller holds it "
                "on (a user holds it on themself, so a plain user gets their own row); 403 "
                "for a caller who holds it on nobody. CPU, memory and volumes are null or "
                "empty with the local spawner. Query: `name` (a case-insensitive part of "
                "the username), `state` (active, idle, offline, over_quota, pending), "
                "`sort` (username, authorized, status, cpu, memory, volumes, time_left, "
                "last_activity, activity, history), `order` (asc, desc), `offset` and "
                "`limit` as JupyterHub's `/hub/api/users` reads them. With `Accept: "
                "application/jupyterhub-pagination+json` the rows are `items` beside "
                "`_pagination`; otherwise `users`. The summary counts every readable user; "
                "400 names a bad parameter.",
                ("read:users:activity",),
                Activity,
                errors=(400, 403),
                paged_response=ActivityPage,
                query=ACTIVITY_FILTERS + ACTIVITY_PAGING,
            ),
        ),
    ),
    ApiRoute(
        "/api/activity/export",
        ActivityExportHandler,
        (
            Operation(
                "get",
                "exportActivity",
                "activity",
                "The readable users' activity as a CSV file or a self-contained HTML report",
                "Scope: `read:users:activity`. `format` is `csv` (the default) or `html`; "
                "`name`, `state`, `sort` and `order` as for `GET /hub/api/activity`, no paging: "
                "every row they keep. An attachment; in the CSV a cell a spreadsheet would "
                "read as a formula starts with an apostrophe, in the HTML every user-supplied "
                "string is escaped and nothing is loaded or run.",
                ("read:users:activity",),
                None,
                errors=(400, 403),
                answers={
                    200: Answer(
                        "the file, as an attachment",
                        headers=NO_STORE,
                        schema={"type": "string"},
                        media_types=("text/csv", "text/html"),
                    )
                },
                query=(
                    _query(
                        "format", "the file's format", {"enum": [f.value for f in ExportFormat]}
                    ),
                    *ACTIVITY_FILTERS,
                ),
            ),
        ),
    ),
    ApiRoute(
        "/api/activity/reset",
        ActivityResetHandler,
        (
            Operation(
                "post",
                "resetActivity",
                "activity",
                "Delete every activity sample of every user",
                "Scope: `custom:activity:reset`.",
                ("custom:activity:reset",),
                ActivityReset,
                request=NoFields,
                errors=(400, 403, 413),
            ),
        ),
    ),
    ApiRoute(
        "/api/activity/sample",
        ActivitySampleHandler,
        (
            Operation(
                "post",
                "sampleActivity",
                "activity",
                "Record a sample of every user now",
                "Scope: `custom:activity:sample`. The sample is at the sampler's current "
                "tick, so a user already sampled at that tick gets nothing new (`recorded` "
                "counts only new rows).",
                ("custom:activity:sample",),
                ActivitySampled,
                request=NoFields,
                errors=(400, 403, 413),
            ),
        ),
    ),
    ApiRoute(
        "/api/admin/credentials",
        CredentialsHandler,
        (
            Operation(
                "post",
                "readCredentials",
                "accounts",
                "The generated passphrases of accounts just created, each once",
                "Scope: `custom:credentials:read`. Each passphrase can be read once and only "
                "for a short time after its account was created; the names without one are "
                "`unavailable`, and `lost` where the hub generated a password it can no "
                "longer show. Never cached (`Cache-Control: no-store`, errors included).",
                ("custom:credentials:read",),
                Credentials,
                request=CredentialsRequest,
                request_required=True,
                example={"usernames": ["nia", "otto"]},
                errors=(413,),
                answers={
                    200: Answer(
                        "the passphrases taken, and the names without one",
                        (Credentials,),
                        NO_STORE,
                    ),
                    400: Answer("bad input; the message says what", (Error,), NO_STORE),
                    403: Answer("the caller lacks the scope", (Error,), NO_STORE),
                },
            ),
        ),
    ),
    ApiRoute(
        "/api/notifications/active-servers",
        ActiveServersHandler,
        (
            Operation(
                "get",
                "listActiveServers",
                "notifications",
                "The servers a broadcast to everyone would reach",
                f"Scope: `{BROADCAST}`. The servers that are up (not starting or stopping), "
                "by username; `timestamp` is the hub's clock.",
                (BROADCAST,),
                ActiveServers,
                errors=(403,),
            ),
        ),
    ),
    ApiRoute(
        "/api/notifications/broadcast",
        BroadcastHandler,
        (
            Operation(
                "post",
                "broadcast",
                "notifications",
                "Notify running JupyterLabs and report on each",
                f"Scope: `{BROADCAST}`. One result per running server of each recipient, and "
                "one for each recipient without one (`not running` or `unknown user`). 400 "
                "naming the field for any other body, nothing sent or kept; 409 when everyone "
                "was asked for and no server runs.",
                (BROADCAST,),
                BroadcastReport,
                request=BroadcastBody,
                request_required=True,
                example={
                    "message": "Maintenance at 18:00, please save your work",
                    "variant": "warning",
                    "autoClose": False,
                    "recipients": ["ada", "bo"],
                },
                errors=(400, 403, 409, 413),
                answers={
                    500: Answer(
                        "the sender service is not configured (a configuration fault)", (Error,)
                    )
                },
            ),
        ),
    ),
    ApiRoute(
        "/api/notifications/history",
        BroadcastHistoryHandler,
        (
            Operation(
                "get",
                "getBroadcastHistory",
                "notifications",
                "The broadcasts kept, newest first",
                f"Scope: `{BROADCAST}`. At most `keep` of them.",
                (BROADCAST,),
                BroadcastHistoryAnswer,
                errors=(403,),
            ),
        ),
    ),
    ApiRoute(
        "/api/notifications/history/{broadcast}",
        BroadcastHistoryEntryHandler,
        (
            Operation(
                "delete",
                "deleteBroadcast",
                "notifications",
                "Delete one broadcast from the history",
                f"Scope: `{BROADCAST}`. Only the record goes; the labs that got it keep "
                "their notification.",
                (BROADCAST,),
                BroadcastDeleted,
                request=NoFields,
                errors=(400, 403, 413),
                answers={404: Answer("no broadcast in the history has that id", (Error,))},
            ),
        ),
    ),
    ApiRoute(
        "/api/stellars/health",
        HealthHandler,
        (
            Operation(
                "get",
                "getHealth",
                "platform",
                "Whether the database, the proxy and the Docker engine answer",
                "Public, for load balancers and monitoring. The checks run at most every few "
                "seconds and are shared by every caller (`age_seconds` says how old they "
                "are); each client address gets a bounded number of answers a minute. "
                "`docker` is checked only when servers are containers. Never cached "
                "(`Cache-Control: no-store`).",
                (),
                Health,
                answers={
                    200: Answer("every part answers", (Health,), NO_STORE),
                    429: Answer(
                        "too many health checks from this address",
                        (Error,),
                        {
                            "Retry-After": {
                                "description": "seconds until this address may ask again",
                                "schema": {"type": "integer", "minimum": 0},
                            }
                        },
                    ),
                    503: Answer("a part does not answer (its check says why)", (Health,), NO_STORE),
                },
            ),
        ),
    ),
    ApiRoute(
        "/api/stellars/info",
        InfoHandler,
        (
            Operation(
                "get",
                "getInfo",
                "platform",
                "The platform and the versions it runs",
                "Scope: `read:hub`.",
                ("read:hub",),
                Info,
                errors=(403,),
            ),
        ),
    ),
    ApiRoute(
        "/api/stellars/openapi.json",
        OpenAPIHandler,
        (
            Operation(
                "get",
                "getOpenAPI",
                "platform",
                "This document, as JSON",
                "Public: it is documentation. `servers` names the hub's own prefix. "
                "Cacheable but revalidated (`Cache-Control: public, no-cache` with an "
                "`ETag`), so a client never keeps the document of an older version.",
                (),
                None,
                answers={
                    200: Answer(
                        "the OpenAPI document",
                        headers={
                            "Cache-Control": {
                                "description": "`public, no-cache`",
                                "schema": {"type": "string"},
                            },
                            "ETag": {
                                "description": "the document's tag, for `If-None-Match`",
                                "schema": {"type": "string"},
                            },
                        },
                        schema={"type": "object"},
                    ),
                    304: Answer("unchanged since the `ETag` given in `If-None-Match`"),
                },
            ),
        ),
    ),
    ApiRoute(
        "/api/users/{name}/session-info",
        SessionInfoHandler,
        (
            Operation(
                "get",
                "getSessionInfo",
                "sessions",
                "Where the user's server stands with the idle culler",
                "Scope: `read:servers` on the user. `remaining_seconds` is null without a "
                "running server.",
                ("read:servers!user",),
                SessionInfo,
                errors=(403, 404),
            ),
        ),
    ),
    ApiRoute(
        "/api/users/{name}/extend-session",
        ExtendSessionHandler,
        (
            Operation(
                "post",
                "extendSession",
                "sessions",
                "Keep the server some hours more",
                "Scope: `servers` on the user. Grants up to the hours on offer (`truncated` "
                "when fewer than asked). 400 for hours that are not a whole number from 1 "
                "(floats, booleans and strings included); 409 when no culler runs, the server "
                "is not running, or nothing is on offer. The hours are checked first: bad "
                "hours are a 400 whatever the server's state.",
                ("servers!user",),
                Extended,
                request=Extension,
                request_required=True,
                example={"hours": 2},
                errors=(400, 403, 404, 409, 413),
            ),
        ),
    ),
)


def platform_api_routes(*, docker: bool) -> tuple[ApiRoute, ...]:
    """Return the API's routes: those without Docker, and the Docker ones when *docker*.

    Raises:
        ModuleNotFoundError: *docker* is true and stellars-docker is not installed.
    """
    if not docker:
        return API_ROUTES
    # Imported here, not above: only a Docker hub may import stellars-docker.
    from stellars_ui.docker_api_routes import DOCKER_API_ROUTES  # noqa: PLC0415

    return (*API_ROUTES, *DOCKER_API_ROUTES)
