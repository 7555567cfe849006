"""The platform API's Docker endpoints: containers, volumes, group policies and grants.

Apart from ``stellars_ui.api_routes`` because every handler here imports
stellars-docker: ``platform_api_routes(docker=True)`` adds them for a hub whose
servers are Docker containers, and a hub without stellars-docker never imports
this module.
"""

from __future__ import annotations

from stellars_ui.contract import Answer, ApiRoute, Operation
from stellars_ui.handlers.account import AccountHandler
from stellars_ui.handlers.archive import (
    ArchivedVolumeHandler,
    ArchivedVolumesHandler,
    AssignArchivedVolumeHandler,
)
from stellars_ui.handlers.docker_grants import DockerGrantsHandler
from stellars_ui.handlers.group_policies import (
    EffectivePolicyHandler,
    GroupPoliciesHandler,
    GroupPolicyHandler,
)
from stellars_ui.handlers.node import SwarmNodesHandler, UserNodeHandler
from stellars_ui.handlers.quota import UserQuotaHandler
from stellars_ui.handlers.restart import RestartServerHandler
from stellars_ui.handlers.server_stats import ServerStatsHandler
from stellars_ui.handlers.volume_sizes import VolumeSizesHandler
from stellars_ui.handlers.volumes import ManageVolumesHandler
from stellars_ui.models.activity import (
    ActivityQuota,
)
from stellars_ui.models.common import Error, NoFields
from stellars_ui.models.platform import DockerGrants
from stellars_ui.models.policies import (
    GroupEntry,
    GroupPolicies,
    PolicyDeleted,
    PolicyUpdate,
    UserPolicy,
)
from stellars_ui.models.server import ServerStats
from stellars_ui.models.volumes import (
    AccountDeleted,
    AccountDeletion,
    ArchivedVolumes,
    Assigned,
    MeasuredSizes,
    NodeMove,
    Purged,
    Restarted,
    SwarmNodes,
    UserNode,
    VolumeAssignment,
    VolumeDeletions,
    VolumeList,
    VolumeSelection,
)

# What an endpoint that acts on Docker may answer besides its own statuses.
DOCKER = (501, 503)
ARCHIVE = "custom:volumes:archive"
READ_POLICIES = "custom:group-policies:read"
WRITE_POLICIES = "custom:group-policies:write"
NO_GROUP = Answer("no such hub group (only for callers who hold the scope)", (Error,))

DOCKER_API_ROUTES: tuple[ApiRoute, ...] = (
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
        "/api/stellars/swarm-nodes",
        SwarmNodesHandler,
        (
            Operation(
                "get",
                "listSwarmNodes",
                "servers",
                "The swarm's nodes, to move users between",
                "Scope: `admin:servers`, unfiltered (the nodes are the whole platform's). "
                "Every node by host name: its role, state and availability, whether a moved "
                "user can go there, and how many accounts' files it holds; and whether a "
                "move copies files at all (not on storage every node shares). 409 when the "
                "servers run on one engine.",
                ("admin:servers",),
                SwarmNodes,
                errors=(403, 409, *DOCKER),
            ),
        ),
    ),
    ApiRoute(
        "/api/users/{name}/node",
        UserNodeHandler,
        (
            Operation(
                "get",
                "getUserNode",
                "servers",
                "The swarm node the user's files are on, and their move",
                "Scope: `read:servers` on the user. On a swarm with node-pinned volumes: the "
                "node the user's volumes are on (null before their first server ran) and "
                "their move under way, or the last one since the hub started. 409 when the "
                "servers run on one engine.",
                ("read:servers!user",),
                UserNode,
                errors=(403, 404, 409, *DOCKER),
            ),
            Operation(
                "post",
                "moveUser",
                "servers",
                "Move the user to another swarm node",
                "Scope: `admin:servers` on the user, whose server must be stopped. Checks at "
                "once that the node is ready and active, that both nodes' agents answer and "
                "that the node holds no volume of the user's names (nothing is ever "
                "replaced); then copies each volume there in the background, pins the user "
                "to it once all are there whole, and removes the old node's copies. Follow "
                "it with `getUserNode`. A copy that fails removes what it made and leaves the "
                "user on their old node with their files. While it runs the user's server "
                "does not start and their volumes are not reset. `files: leave` pins the "
                "user to the node without copying (their node is gone). 400 for a node the "
                "swarm does not have; 409 while the server runs, while a move runs, or when "
                "the node cannot take the user.",
                ("admin:servers!user",),
                None,
                request=NodeMove,
                request_required=True,
                example={"node": "worker-2", "files": "copy"},
                errors=(400, 403, 404, 409, 413, *DOCKER),
                answers={202: Answer("the move has begun (state `copying`)", (UserNode,))},
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
)
