"""The platform API's route table: every endpoint, its handler, scopes, models and statuses.

The single source of both the routes (``stellars_ui.routes.extra_handlers``)
and the OpenAPI document (``stellars_ui.openapi``). The statuses in
``errors`` are answered with ``{"status", "message"}`` (``models.common.Error``).
"""

from __future__ import annotations

from stellars_activity.listing import SortKey, SortOrder, StateFilter
from stellars_ui.activity_export import ExportFormat
from stellars_ui.contract import Answer, ApiRoute, Operation
from stellars_ui.handlers.account import AccountHandler
from stellars_ui.handlers.activity import (
    ActivityExportHandler,
    ActivityHandler,
    ActivityResetHandler,
    ActivitySampleHandler,
)
from stellars_ui.handlers.archive import (
    ArchivedVolumeHandler,
    ArchivedVolumesHandler,
    AssignArchivedVolumeHandler,
)
from stellars_ui.handlers.credentials import CredentialsHandler
from stellars_ui.handlers.docker_grants import DockerGrantsHandler
from stellars_ui.handlers.group_policies import (
    EffectivePolicyHandler,
    GroupPoliciesHandler,
    GroupPolicyHandler,
)
from stellars_ui.handlers.health import HealthHandler
from stellars_ui.handlers.info import InfoHandler
from stellars_ui.handlers.notifications import (
    ActiveServersHandler,
    BroadcastHandler,
    BroadcastHistoryEntryHandler,
    BroadcastHistoryHandler,
)
from stellars_ui.handlers.openapi import OpenAPIHandler
from stellars_ui.handlers.quota import UserQuotaHandler
from stellars_ui.handlers.restart import RestartServerHandler
from stellars_ui.handlers.server_stats import ServerStatsHandler
from stellars_ui.handlers.sessions import ExtendSessionHandler, SessionInfoHandler
from stellars_ui.handlers.volume_sizes import VolumeSizesHandler
from stellars_ui.handlers.volumes import ManageVolumesHandler
from stellars_ui.models.accounts import Credentials, CredentialsRequest
from stellars_ui.models.activity import (
    Activity,
    ActivityPage,
    ActivityQuota,
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
from stellars_ui.models.platform import DockerGrants, Health, Info
from stellars_ui.models.policies import (
    GroupEntry,
    GroupPolicies,
    PolicyDeleted,
    PolicyUpdate,
    UserPolicy,
)
from stellars_ui.models.server import ServerStats
from stellars_ui.models.sessions import Extended, Extension, SessionInfo
from stellars_ui.models.volumes import (
    AccountDeleted,
    AccountDeletion,
    ArchivedVolumes,
    Assigned,
    MeasuredSizes,
    Purged,
    Restarted,
    VolumeAssignment,
    VolumeDeletions,
    VolumeList,
    VolumeSelection,
)

NO_STORE = {"Cache-Control": {"$ref": "#/components/headers/NoStore"}}
# What an endpoint that acts on Docker may answer besides its own statuses.
DOCKER = (501, 503)
BROADCAST = "custom:notifications:broadcast"
ARCHIVE = "custom:volumes:archive"
READ_POLICIES = "custom:group-policies:read"
WRITE_POLICIES = "custom:group-policies:write"
NO_GROUP = Answer("no such hub group (only for callers who hold the scope)", (Error,))


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
        "/api/stellars/archived-volumes",
        ArchivedVolumesHandler,
        (
            Operation(
                "get",
                "listArchivedVolumes",
                "accounts",
                "The volumes of deleted accounts",
                f"Scope: `{ARCHIVE}`. Every volume whose owner account was deleted, oldest "
                "deletion first; no account mounts them.",
                (ARCHIVE,),
                ArchivedVolumes,
                errors=(403, *DOCKER),
            ),
        ),
    ),
    ApiRoute(
        "/api/stellars/archived-volumes/{volume}",
        ArchivedVolumeHandler,
        (
            Operation(
                "delete",
                "purgeArchivedVolume",
                "accounts",
                "Remove an archived volume and its files",
                f"Scope: `{ARCHIVE}`. 404 when the volume is not an archived one (a live "
                "account's volumes are never purged here); 409 when the engine refuses (a "
                "container uses it).",
                (ARCHIVE,),
                Purged,
                request=NoFields,
                errors=(400, 403, 409, 413, *DOCKER),
                answers={
                    404: Answer(
                        "the volume is not an archived one (missing, or a live account's)",
                        (Error,),
                    )
                },
            ),
        ),
    ),
    ApiRoute(
        "/api/stellars/archived-volumes/{volume}/assign",
        AssignArchivedVolumeHandler,
        (
            Operation(
                "post",
                "assignArchivedVolume",
                "accounts",
                "Give an archived volume to the account of its name",
                f"Scope: `{ARCHIVE}`. Volumes are mounted by name, so an archived volume can "
                "only go to the account whose volume it is by name (a new account of the "
                "deleted one's name): any other account gets 409 saying so. That account "
                "mounts it from its next start.",
                (ARCHIVE,),
                Assigned,
                request=VolumeAssignment,
                request_required=True,
                example={"user": "ada"},
                errors=(400, 403, 409, 413, *DOCKER),
                answers={
                    404: Answer("no such user, or the volume is not an archived one", (Error,))
                },
            ),
        ),
    ),
    ApiRoute(
        "/api/stellars/docker-grants",
        DockerGrantsHandler,
        (
            Operation(
                "get",
                "getDockerGrants",
                "platform",
                "Who holds Docker access, who granted it, and whether a spawn honours it",
                "Scope: `custom:docker-grants:read`. For each Docker-access group "
                "(`docker-sock`, then `docker-privileged`), every member with the record of "
                "their grant. A membership counts at spawn only when a full admin granted it "
                "(or the configuration's `load_groups` lists the member); any other is listed "
                "with why it is ignored and how to fix it.",
                ("custom:docker-grants:read",),
                DockerGrants,
                errors=(403,),
            ),
        ),
    ),
    ApiRoute(
        "/api/stellars/group-policies",
        GroupPoliciesHandler,
        (
            Operation(
                "get",
                "listGroupPolicies",
                "policies",
                "Every hub group with its policy, and the GPUs a policy may name",
                f"Scope: `{READ_POLICIES}`. Every JupyterHub group, the built-in "
                "`docker-sock` and `docker-privileged` included, sorted by name, with its "
                "member count, its policy (null: none) and its revision. Secrets' values are "
                "never answered (null). `docker_access_counts` says whether the policy's "
                "Docker access is honoured at spawn (built in, or written by a full admin); "
                "`outdated_servers` counts the members' running servers started under an "
                "older policy. `gpus` is the inventory detected at start-up.",
                (READ_POLICIES,),
                GroupPolicies,
                errors=(403,),
            ),
        ),
    ),
    ApiRoute(
        "/api/stellars/group-policies/{group}",
        GroupPolicyHandler,
        (
            Operation(
                "get",
                "getGroupPolicy",
                "policies",
                "One hub group with its policy",
                f"Scope: `{READ_POLICIES}`. Secrets' values are null.",
                (READ_POLICIES,),
                GroupEntry,
                errors=(403,),
                answers={404: NO_GROUP},
            ),
            Operation(
                "put",
                "putGroupPolicy",
                "policies",
                "Set a hub group's policy",
                f"Scope: `{WRITE_POLICIES}`. Replaces the whole policy. Give the `revision` "
                "you read to be refused with 409 when someone saved in between. A secret "
                "sent with a null `value` keeps its stored value. 400, naming each field at "
                "fault and storing nothing, for a bad field, a GPU device that is not in the "
                "inventory, a profile image that is not on the engine, or a built-in group's "
                "`docker_access` changed. The Docker access of a writer who is not a full "
                "admin does not count (`docker_access_counts` is false). 501: profiles on "
                "a hub whose servers are not containers.",
                (WRITE_POLICIES,),
                GroupEntry,
                request=PolicyUpdate,
                request_required=True,
                example={
                    "policy": {
                        "cpu_limit": 2,
                        "mem_limit": "4G",
                        "gpus": "none",
                        "environment": [{"name": "TEAM", "value": "vision"}],
                        "max_servers": 2,
                    },
                    "revision": 0,
                },
                errors=(400, 403, 413, *DOCKER),
                answers={
                    404: NO_GROUP,
                    409: Answer("the policy changed since the revision given", (Error,)),
                },
            ),
            Operation(
                "delete",
                "deleteGroupPolicy",
                "policies",
                "Delete a hub group's policy",
                f"Scope: `{WRITE_POLICIES}`. The group stays; a built-in group keeps its fixed "
                "Docker access. `deleted` is false when it had no stored policy.",
                (WRITE_POLICIES,),
                PolicyDeleted,
                request=NoFields,
                errors=(400, 403, 413),
                answers={404: NO_GROUP},
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
        "/api/users/{name}/account",
        AccountHandler,
        (
            Operation(
                "delete",
                "deleteAccount",
                "accounts",
                "Delete an account, and delete or archive its volumes",
                "Scope: `admin:users` on the user (as JupyterHub's own "
                "`DELETE /hub/api/users/{name}`, which keeps working and archives). The body "
                "is required: `delete` removes the account's own volumes, `archive` keeps "
                "them for nobody until an admin assigns or purges them. Nothing is deleted "
                "when the body is not exactly that (400), when the caller is the user (409), "
                "when a server of the user is starting or stopping (409) or when the engine "
                "does not answer (503). A running server is stopped first. The answer "
                "reports each of the account's volumes; one the engine refused to remove "
                "stays archived, with the reason.",
                ("admin:users!user",),
                AccountDeleted,
                request=AccountDeletion,
                request_required=True,
                example={"volumes": "archive"},
                errors=(400, 403, 404, 409, 413, *DOCKER),
            ),
        ),
    ),
    ApiRoute(
        "/api/users/{name}/effective-policy",
        EffectivePolicyHandler,
        (
            Operation(
                "get",
                "getEffectivePolicy",
                "policies",
                "The policy the user's servers get, and where each value came from",
                "Scope: `read:servers` on the user. The user's groups merged by the "
                "documented rule (docs/operations.md), read now: `sources` names the group "
                "(or `(default policy)`) of each value, `environment.NAME` per variable. "
                "Secrets' values are null. `servers` are the user's running servers, each "
                "with the fingerprint it started under and whether the policy changed since.",
                ("read:servers!user",),
                UserPolicy,
                errors=(403, 404),
            ),
        ),
    ),
    ApiRoute(
        "/api/users/{name}/manage-volumes",
        ManageVolumesHandler,
        (
            Operation(
                "get",
                "listVolumes",
                "servers",
                "The user's volumes that exist, with their sizes",
                "Scope: `read:servers` on the user. Only the resettable volumes (home, "
                "workspace, cache by default) that exist on the engine, found by exact name; "
                "`size_bytes` is null while not measured yet.",
                ("read:servers!user",),
                VolumeList,
                errors=(403, 404, *DOCKER),
            ),
            Operation(
                "delete",
                "deleteVolumes",
                "servers",
                "Delete some of a stopped server's volumes",
                "Scope: `servers` on the user. The server must be stopped, with no start or "
                "stop pending. The answer reports each volume asked for: 200 every one "
                "deleted, 207 some, 404 none of them existed, 409 the engine refused them "
                "all. Any other body is refused with 400 and nothing is deleted.",
                ("servers!user",),
                VolumeDeletions,
                request=VolumeSelection,
                request_required=True,
                example={"volumes": ["home", "cache"]},
                errors=(400, 403, 413, *DOCKER),
                answers={
                    200: Answer("every volume asked for was deleted", (VolumeDeletions,)),
                    207: Answer("some were deleted; each says what happened", (VolumeDeletions,)),
                    404: Answer(
                        "none of the volumes existed (a report), or no such user (an error)",
                        (VolumeDeletions, Error),
                    ),
                    409: Answer(
                        "the engine refused every volume (a report), or the server runs or "
                        "is starting or stopping (an error)",
                        (VolumeDeletions, Error),
                    ),
                },
            ),
        ),
    ),
    ApiRoute(
        "/api/users/{name}/volume-sizes",
        VolumeSizesHandler,
        (
            Operation(
                "post",
                "measureVolumes",
                "servers",
                "Measure the user's volumes now",
                "Scope: `servers` on the user. Runs `du` over the user's own volumes (found "
                "as `listVolumes` finds them), mounted read-only in a short-lived container "
                "of the platform's lab image without network, and keeps the sizes as the "
                "last known (quota and activity read them). 409 while a measurement for the "
                "user runs; 429 within a minute of the last one.",
                ("servers!user",),
                MeasuredSizes,
                request=NoFields,
                errors=(400, 403, 404, 409, 413, *DOCKER),
                answers={
                    429: Answer(
                        "the user's volumes were measured moments ago",
                        (Error,),
                        {
                            "Retry-After": {
                                "description": "seconds until the user may measure again",
                                "schema": {"type": "integer", "minimum": 1},
                            }
                        },
                    )
                },
            ),
        ),
    ),
    ApiRoute(
        "/api/users/{name}/quota",
        UserQuotaHandler,
        (
            Operation(
                "get",
                "getQuota",
                "servers",
                "The user's volumes against their quota",
                "Scope: `read:servers` on the user. The quota of the user's effective group "
                "policy and the sizes last measured in the background (no engine call): `ok` "
                "also without a quota, `warning` from the threshold, `over` past the quota, "
                "`unknown` before the volumes are measured (always, with the local spawner).",
                ("read:servers!user",),
                ActivityQuota,
                errors=(403, 404),
            ),
        ),
    ),
    ApiRoute(
        "/api/users/{name}/restart-server",
        RestartServerHandler,
        (
            Operation(
                "post",
                "restartServer",
                "servers",
                "Restart the user's running server in place",
                "Scope: `servers` on the user. Restarts the container (volumes and image "
                "unchanged) and answers once JupyterLab answers again. 409 when the server "
                "is not running or a restart is already under way; 504 when JupyterLab does "
                "not answer in time.",
                ("servers!user",),
                Restarted,
                request=NoFields,
                errors=(400, 403, 404, 409, 413, *DOCKER),
                answers={
                    504: Answer("JupyterLab did not answer in time after the restart", (Error,))
                },
            ),
        ),
    ),
    ApiRoute(
        "/api/users/{name}/server-stats",
        ServerStatsHandler,
        (
            Operation(
                "get",
                "getServerStats",
                "servers",
                "What the user's server uses now",
                "Scope: `read:servers` on the user. The last CPU and memory sample of the "
                "default server's container, taken in the background (no engine call); "
                "every field null before one, when the server is stopped, and with the "
                "local spawner.",
                ("read:servers!user",),
                ServerStats,
                errors=(403, 404),
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
