"""The scopes the platform's handlers check, and the custom ones it declares.

Core scopes where JupyterHub has one that fits; ``custom:`` scopes for what
it does not know about. ``stellars_hub`` declares :data:`CUSTOM_SCOPES` in
``c.JupyterHub.custom_scopes`` and grants them to the admin role, so an
operator can hand any of them to a group with a role of their own.
"""

from __future__ import annotations

# Reading a user's activity row (filtered: a user holds it on themself).
READ_ACTIVITY = "read:users:activity"
# Dropping every activity sample of every user.
RESET_ACTIVITY = "custom:activity:reset"
# Recording an activity tick now, outside the sampler's schedule.
SAMPLE_ACTIVITY = "custom:activity:sample"

# Reading the generated passphrases of accounts just created (each once).
READ_CREDENTIALS = "custom:credentials:read"

# Sending a notification into running JupyterLabs, listing the running
# servers to choose recipients from, and reading the broadcast history.
BROADCAST = "custom:notifications:broadcast"

# Reading the settings page: every setting's effective value (secrets masked),
# the GPUs found at start-up and the versions the hub runs.
READ_SETTINGS = "custom:settings:read"

# Listing, purging and assigning the volumes of deleted accounts (archives):
# an assignment hands a deleted account's files to another account.
ARCHIVE_VOLUMES = "custom:volumes:archive"

# Reading who holds each Docker-access grant (root on the host), who granted
# it, when, and whether a spawn honours it. Not read:groups: that one, even
# filtered to a group, is what a group manager holds, and the record says
# whom to ask about root on the host.
READ_DOCKER_GRANTS = "custom:docker-grants:read"

# Listing and reading the groups' policies (resources, GPUs, profiles,
# Docker access; secrets never answered) and the Groups page.
READ_GROUP_POLICIES = "custom:group-policies:read"
# Writing and deleting a group's policy. A holder who is not a full admin
# may edit, but the Docker access they write does not count at spawn.
WRITE_GROUP_POLICIES = "custom:group-policies:write"

CUSTOM_SCOPES: dict[str, dict[str, str]] = {
    ARCHIVE_VOLUMES: {"description": "List, purge and assign the volumes of deleted accounts."},
    BROADCAST: {
        "description": "Broadcast notifications into running JupyterLabs; see who can get them."
    },
    READ_GROUP_POLICIES: {
        "description": "See each group's policy (limits, GPUs, profiles) and the Groups page."
    },
    WRITE_GROUP_POLICIES: {
        "description": "Change or delete a group's policy (Docker access counts from full admins)."
    },
    READ_DOCKER_GRANTS: {
        "description": "See who holds Docker access (root on the host) and who granted it."
    },
    READ_CREDENTIALS: {
        "description": "Read, once, the generated passphrases of accounts just created."
    },
    READ_SETTINGS: {"description": "Read the platform's settings page."},
    RESET_ACTIVITY: {"description": "Delete every user's activity samples."},
    SAMPLE_ACTIVITY: {"description": "Record an activity sample of every user now."},
}
