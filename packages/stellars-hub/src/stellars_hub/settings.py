"""The platform's settings: one typed schema, read from the environment once.

Every setting is a field of :class:`HubSettings` whose alias is its
environment variable. The field carries the type, default, allowed range,
category and description, and everything that lists settings (the
``stellars-hub settings`` command, the docs table) is generated from it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlalchemy.engine import make_url

from stellars_auth import DEFAULT_USERNAME_MAX_LENGTH, DEFAULT_USERNAME_PATTERN
from stellars_auth.addresses import parse_trusted_proxies
from stellars_ui import Branding, load_asset
from stellars_ui.settings import GPU_CATEGORY, LAB_SERVICES_CATEGORY, SettingRow

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pydantic.fields import FieldInfo

ENV_PREFIX = "JUPYTERHUB_"
# How a secret shows wherever settings are listed: whether it is set, never its value.
SECRET_MASK = "********"  # noqa: S105 - what shows instead of a password
NOT_SET = "(not set)"
SECRET_UNSET = "(not set)"  # noqa: S105 - what shows for no password

# A 0/1 switch, as the original deployment's variables were written.
Switch = Annotated[int, Field(ge=0, le=1)]
# How to resolve a bind URL whose scheme contradicts JUPYTERHUB_SSL_ENABLED (0, 1).
_SCHEME_FIX = (
    "write http://, or set JUPYTERHUB_SSL_ENABLED=1 for the proxy to serve HTTPS",
    "write https://, or set JUPYTERHUB_SSL_ENABLED=0 if a reverse proxy in front terminates TLS",
)


def _setting(default: Any, env: str, category: str, description: str, **constraints: Any) -> Any:
    return Field(
        default,
        alias=env,
        description=description,
        json_schema_extra={"category": category},
        **constraints,
    )


_SWARM_NEEDS_A_NETWORK = (
    "JUPYTERHUB_SPAWNER=swarm needs the attachable overlay network the hub and the servers share"
)
_SWARM_RESERVES_GPUS_BY_COUNT = (
    "a Docker Swarm reserves a number of GPUs, never all of a node's: with "
    "JUPYTERHUB_SPAWNER=swarm and JUPYTERHUB_GPU_ENABLED=1 set it to none, and give the groups "
    "that need GPUs a count"
)


class HubSettings(BaseModel):
    """Every setting of the platform, validated together."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=False)

    # -- Hub
    base_url: str = _setting(
        "/", "JUPYTERHUB_BASE_URL", "Hub", "URL prefix the hub is served under.", pattern=r"^/"
    )
    bind_url: str = _setting(
        "",
        "JUPYTERHUB_BIND_URL",
        "Hub",
        "Public address the proxy listens on. Its scheme must match JUPYTERHUB_SSL_ENABLED "
        "(https with 1, http with 0). Empty: https://:8000 or http://:8000, as that switch "
        "says.",
        pattern=r"^(https?://.*)?$",
    )
    ssl_enabled: Switch = _setting(
        1,
        "JUPYTERHUB_SSL_ENABLED",
        "Hub",
        "1: the proxy serves HTTPS itself, with JUPYTERHUB_SSL_CERT and JUPYTERHUB_SSL_KEY or "
        "else a self-signed certificate. 0: plain HTTP, only behind a reverse proxy that "
        "terminates TLS, or for a local demo.",
    )
    ssl_cert: Path | None = _setting(
        None,
        "JUPYTERHUB_SSL_CERT",
        "Hub",
        "PEM file with the certificate (and its chain) the proxy presents; set together with "
        "JUPYTERHUB_SSL_KEY. Unset: a self-signed one in JUPYTERHUB_SSL_DIR.",
    )
    ssl_key: Path | None = _setting(
        None,
        "JUPYTERHUB_SSL_KEY",
        "Hub",
        "PEM file with the private key of JUPYTERHUB_SSL_CERT.",
    )
    ssl_dir: Path = _setting(
        Path("ssl"),
        "JUPYTERHUB_SSL_DIR",
        "Hub",
        "Folder (relative: to the hub's working folder) where a self-signed certificate and "
        "key are generated on the first start with SSL on and no certificate given, and "
        "reused afterwards.",
    )
    hub_bind_url: str = _setting(
        "",
        "JUPYTERHUB_HUB_BIND_URL",
        "Hub",
        "Address the hub's internal API listens on; lab containers must reach it. "
        "Empty: JupyterHub's default.",
        pattern=r"^(https?://.*)?$",
    )
    hub_connect_url: str = _setting(
        "",
        "JUPYTERHUB_HUB_CONNECT_URL",
        "Hub",
        "Address lab containers use to reach the hub's API, when it differs from the bind "
        "address. Empty: derived by JupyterHub.",
        pattern=r"^(https?://.*)?$",
    )
    db_url: str = _setting(
        "sqlite:///jupyterhub.sqlite",
        "JUPYTERHUB_DB_URL",
        "Hub",
        "SQLAlchemy URL of the hub's database (SQLite or PostgreSQL).",
        min_length=1,
    )
    db_password_file: Path | None = _setting(
        None,
        "JUPYTERHUB_DB_PASSWORD_FILE",
        "Hub",
        "File holding the password of JUPYTERHUB_DB_URL's database user (a swarm secret, "
        "deploy/stack.yml), which the URL then leaves out. Unset: the URL carries any "
        "password.",
    )
    cookie_secret_file: Path | None = _setting(
        None,
        "JUPYTERHUB_COOKIE_SECRET_FILE",
        "Hub",
        "File holding the hub's cookie secret in hex digits, readable by its owner only (a "
        "swarm secret, deploy/stack.yml), so that a hub started on another node keeps "
        "everyone logged in. Unset: JupyterHub's own file in the hub's working folder, made "
        "at the first start.",
    )
    platform_name: str = _setting(
        "Stellars Hub",
        "JUPYTERHUB_PLATFORM_NAME",
        "Hub",
        "Name shown in the navigation bar.",
        min_length=1,
        max_length=60,
    )

    # -- Accounts
    admin: str = _setting(
        "admin",
        "JUPYTERHUB_ADMIN",
        "Accounts",
        "Username of the platform administrator.",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$",
    )
    admin_password: SecretStr = _setting(
        SecretStr(""),
        "JUPYTERHUB_ADMIN_PASSWORD",
        "Accounts",
        "Initial password of the admin account, applied once when the account is created. "
        "Empty: generated and written once to the hub's log.",
    )
    admin_password_file: Path | None = _setting(
        None,
        "JUPYTERHUB_ADMIN_PASSWORD_FILE",
        "Accounts",
        "File holding the initial admin password (instead of JUPYTERHUB_ADMIN_PASSWORD).",
    )
    signup_enabled: Switch = _setting(
        1, "JUPYTERHUB_SIGNUP_ENABLED", "Accounts", "1: people may sign up and wait for approval."
    )

    generated_password_words: int = _setting(
        4,
        "JUPYTERHUB_GENERATED_PASSWORD_WORDS",
        "Accounts",
        "Words (EFF long word list) in the passphrase of an account an admin creates.",
        ge=4,
        le=12,
    )
    generated_password_delimiter: str = _setting(
        "-",
        "JUPYTERHUB_GENERATED_PASSWORD_DELIMITER",
        "Accounts",
        "What joins the words of a generated passphrase.",
        min_length=1,
        max_length=3,
    )
    credentials_ttl: int = _setting(
        300,
        "JUPYTERHUB_CREDENTIALS_TTL",
        "Accounts",
        "Seconds a generated passphrase stays in hub memory for the admin to read, once.",
        ge=1,
        le=3600,
    )

    password_min_length: int = _setting(
        8,
        "JUPYTERHUB_PASSWORD_MIN_LENGTH",
        "Accounts",
        "Shortest password accepted at sign-up and on a change (common passwords are refused too).",
        ge=1,
        le=128,
    )
    login_lockout_attempts: int = _setting(
        5,
        "JUPYTERHUB_LOGIN_LOCKOUT_ATTEMPTS",
        "Accounts",
        "Failed logins of one username, from any address, before further attempts wait under "
        "a doubling back-off (15 s, 30 s, ... up to JUPYTERHUB_LOGIN_LOCKOUT_SECONDS); a "
        "browser that logged in as that user before keeps an allowance of its own. "
        "0: no login throttle at all.",
        ge=0,
        le=100,
    )
    login_lockout_seconds: int = _setting(
        600,
        "JUPYTERHUB_LOGIN_LOCKOUT_SECONDS",
        "Accounts",
        "Longest wait of the login back-off, per account and per address.",
        ge=1,
        le=86400,
    )
    login_address_attempts: int = _setting(
        50,
        "JUPYTERHUB_LOGIN_ADDRESS_ATTEMPTS",
        "Accounts",
        "Failed logins from one client address, whatever the usernames, before that address "
        "waits under the same back-off; 0: no per-address budget.",
        ge=0,
        le=100000,
    )
    trusted_proxies: str = _setting(
        "",
        "JUPYTERHUB_TRUSTED_PROXIES",
        "Accounts",
        "Comma-separated addresses or CIDR networks of reverse proxies in front of the hub "
        "whose X-Forwarded-For is believed, besides loopback and the hub's own address. "
        "From any other peer the header is ignored.",
    )

    username_max_length: int = _setting(
        DEFAULT_USERNAME_MAX_LENGTH,
        "JUPYTERHUB_USERNAME_MAX_LENGTH",
        "Accounts",
        "Longest new username, in characters (sign-up, the admin page, the API). Users who "
        "exist already keep their names.",
        ge=1,
        le=128,
    )
    username_pattern: str = _setting(
        DEFAULT_USERNAME_PATTERN,
        "JUPYTERHUB_USERNAME_PATTERN",
        "Accounts",
        "Regular expression a whole new username must match, after NFKC normalisation and "
        "lower-casing; control, zero-width and bidi characters and names that look like an "
        "existing one are refused whatever it allows.",
        min_length=1,
    )

    # -- Spawner
    spawner: Literal["docker", "swarm", "local", "kubernetes"] = _setting(
        "docker",
        "JUPYTERHUB_SPAWNER",
        "Spawner",
        "docker: each user's JupyterLab runs in a container. swarm: in a service of a Docker "
        "Swarm, on the overlay network JUPYTERHUB_NETWORK_NAME, with a node agent on every "
        "node (JUPYTERHUB_SWARM_AGENT_*; work in progress, see docs/swarm.md). local: as a "
        "process of the hub's user, for a demo on a machine without Docker only. These three need "
        'stellars-docker (pip install "stellars-hub[docker]"). kubernetes: KubeSpawner, '
        "configured by the operator as zero-to-jupyterhub does; the platform's Docker "
        "features (volumes, restart, stats, sizes, GPUs, group policies, grants) are not "
        "available, and nothing of Docker need be installed.",
    )
    notebook_image: str = _setting(
        "stellars-hub-lab:latest",
        "JUPYTERHUB_NOTEBOOK_IMAGE",
        "Spawner",
        "JupyterLab image of the users' containers; it must exist on the engine.",
        min_length=1,
    )
    network_name: str = _setting(
        "",
        "JUPYTERHUB_NETWORK_NAME",
        "Spawner",
        "Docker network the lab containers join. Empty: the default bridge.",
    )
    swarm_agent_service: str = _setting(
        "stellars-agent",
        "JUPYTERHUB_SWARM_AGENT_SERVICE",
        "Spawner",
        "With swarm: the global service of node agents (the hub image running python -m "
        "stellars_docker.swarm.agent) that give the hub each node's container stats and "
        "volume sizes, and reset, measure and delete volumes there.",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    )
    swarm_agent_network: str = _setting(
        "stellars-agents",
        "JUPYTERHUB_SWARM_AGENT_NETWORK",
        "Spawner",
        "With swarm: the overlay network (created with --opt encrypted where the nodes can) "
        "that the hub and the node agents share and user servers are not attached to.",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    )
    swarm_agent_port: int = _setting(
        8090,
        "JUPYTERHUB_SWARM_AGENT_PORT",
        "Spawner",
        "With swarm: the port each node agent serves on, on the agents' network.",
        ge=1,
        le=65535,
    )
    swarm_agent_secret_file: str = _setting(
        "/run/secrets/stellars-agent-secret",
        "JUPYTERHUB_SWARM_AGENT_SECRET_FILE",
        "Spawner",
        "With swarm: the file holding the secret the hub presents to the node agents (a swarm "
        "secret both are given); the hub does not start without it.",
        min_length=1,
    )
    swarm_volume_options: dict[str, str] = _setting(
        {},
        "JUPYTERHUB_SWARM_VOLUME_OPTIONS",
        "Spawner",
        "With swarm: options of Docker's local driver for every volume a server mounts, as a "
        "JSON object of strings, {volume} standing for the volume's name; the device option "
        "must end with /{volume}. For a file system every node mounts at /mnt/stellars: "
        '{"type": "none", "o": "bind", "device": "/mnt/stellars/{volume}"}; for NFS: '
        '{"type": "nfs", "o": "addr=nfs.example.org,nfsvers=4,rw", '
        '"device": ":/export/stellars/{volume}"}. The volumes are then on storage every node '
        "shares and no server is pinned to a node; needs JUPYTERHUB_SWARM_VOLUME_ROOT. Empty: "
        "local volumes, each account's servers on the node of its first (docs/swarm.md).",
    )
    swarm_volume_root: str = _setting(
        "",
        "JUPYTERHUB_SWARM_VOLUME_ROOT",
        "Spawner",
        "With JUPYTERHUB_SWARM_VOLUME_OPTIONS: the absolute path where the hub's container "
        "sees the volumes' directories (the parent of each device, mounted into the hub), "
        "where the hub makes a volume's directory before its first server starts, sizes it, "
        "and removes it on a reset or an account's deletion.",
        pattern=r"^(/.*)?$",
    )
    shared_volume: str = _setting(
        "jupyterhub_shared",
        "JUPYTERHUB_SHARED_VOLUME",
        "Spawner",
        "Docker volume every lab container mounts at /mnt/shared; none: no shared volume.",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    )
    spawn_timeout: int = _setting(
        120,
        "JUPYTERHUB_SPAWN_TIMEOUT",
        "Spawner",
        "Seconds a server may take to start.",
        ge=10,
        le=3600,
    )

    docker_timeout: int = _setting(
        30,
        "JUPYTERHUB_DOCKER_TIMEOUT",
        "Spawner",
        "Seconds one call to the Docker engine may take before it counts as unreachable.",
        ge=1,
        le=600,
    )
    restart_timeout: int = _setting(
        60,
        "JUPYTERHUB_RESTART_TIMEOUT",
        "Spawner",
        "Seconds JupyterLab may take to answer again after a restart.",
        ge=5,
        le=600,
    )
    volume_size_interval: int = _setting(
        300,
        "JUPYTERHUB_VOLUME_SIZE_INTERVAL",
        "Spawner",
        "Seconds between two measurements of the volumes' sizes.",
        ge=10,
        le=86400,
    )
    volume_size_timeout: int = _setting(
        120,
        "JUPYTERHUB_VOLUME_SIZE_TIMEOUT",
        "Spawner",
        "Seconds one measurement of the volumes' sizes may take.",
        ge=1,
        le=3600,
    )
    stats_interval: int = _setting(
        30,
        "JUPYTERHUB_STATS_INTERVAL",
        "Spawner",
        "Seconds between two readings of the running containers' CPU and memory.",
        ge=2,
        le=3600,
    )
    cpu_limit: float = _setting(
        0.0,
        "JUPYTERHUB_CPU_LIMIT",
        "Spawner",
        "CPUs each lab container may use (0.5, 2, ...). 0: no limit.",
        ge=0,
        le=1024,
    )
    mem_limit: str = _setting(
        "",
        "JUPYTERHUB_MEM_LIMIT",
        "Spawner",
        "Memory each lab container may use, as JupyterHub writes it (512M, 4G). Empty: no limit.",
        pattern=r"^([1-9][0-9]*(\.[0-9]+)?[KMGT]?)?$",
    )

    # -- Group policy: the default policy (users in no group with one) and the hub's caps
    cpu_guarantee: float = _setting(
        0.0,
        "JUPYTERHUB_CPU_GUARANTEE",
        "Group policy",
        "CPUs each lab container is guaranteed when the host's cores are contended (a "
        "relative weight, 1024 shares a core). 0: none. Group policies may set more.",
        ge=0,
        le=1024,
    )
    mem_guarantee: str = _setting(
        "",
        "JUPYTERHUB_MEM_GUARANTEE",
        "Group policy",
        "Memory reserved for each lab container (a soft reservation, as 512M or 4G). Empty: none.",
        pattern=r"^([1-9][0-9]*(\.[0-9]+)?[KMGT]?)?$",
    )
    volume_quota: str = _setting(
        "",
        "JUPYTERHUB_VOLUME_QUOTA",
        "Group policy",
        "What each user's volumes may hold together (as 20G), unless a group policy allows "
        "more. Empty: no quota.",
        pattern=r"^([1-9][0-9]*(\.[0-9]+)?[KMGT]?)?$",
    )
    volume_quota_warning: int = _setting(
        90,
        "JUPYTERHUB_VOLUME_QUOTA_WARNING",
        "Group policy",
        "Percent of the quota at which a user is warned.",
        ge=1,
        le=100,
    )
    volume_quota_enforced: Switch = _setting(
        0,
        "JUPYTERHUB_VOLUME_QUOTA_ENFORCED",
        "Group policy",
        "1: a server whose user's volumes hold more than the quota does not start (the user "
        "is told why). 0: warnings only.",
    )
    concurrent_spawn_limit: int = _setting(
        100,
        "JUPYTERHUB_CONCURRENT_SPAWN_LIMIT",
        "Group policy",
        "Servers that may be starting at once; more are refused with 429 until one is up. "
        "0: no limit.",
        ge=0,
        le=10000,
    )
    active_server_limit: int = _setting(
        0,
        "JUPYTERHUB_ACTIVE_SERVER_LIMIT",
        "Group policy",
        "Servers that may run at once on the hub; more are refused with 429. 0: no limit.",
        ge=0,
        le=100000,
    )

    # -- Lab services: passed to every lab container under the same names
    service_mlflow: Switch = _setting(
        1,
        "JUPYTERHUB_SERVICE_MLFLOW",
        LAB_SERVICES_CATEGORY,
        "1: the lab container is asked to start an MLflow tracking server. Only a lab image "
        "that provides MLflow acts on it; the demo lab image (deploy/lab) has none.",
    )
    service_resources_monitor: Switch = _setting(
        1,
        "JUPYTERHUB_SERVICE_RESOURCES_MONITOR",
        LAB_SERVICES_CATEGORY,
        "1: the lab container is asked to show a resources monitor. Only a lab image that "
        "provides one acts on it; the demo lab image (deploy/lab) has none.",
    )
    service_tensorboard: Switch = _setting(
        1,
        "JUPYTERHUB_SERVICE_TENSORBOARD",
        LAB_SERVICES_CATEGORY,
        "1: the lab container is asked to start TensorBoard. Only a lab image that provides "
        "TensorBoard acts on it; the demo lab image (deploy/lab) has none.",
    )

    # -- GPU
    gpu_enabled: int = _setting(
        2,
        "JUPYTERHUB_GPU_ENABLED",
        GPU_CATEGORY,
        "0: no GPUs. 1: every lab container gets all GPUs. 2: detect at start-up and pass "
        "them through when found.",
        ge=0,
        le=2,
    )
    nvidia_image: str = _setting(
        "",
        "JUPYTERHUB_NVIDIA_IMAGE",
        GPU_CATEGORY,
        "Local image the GPU probe runs (nvidia-smi is injected by the NVIDIA runtime). "
        "Empty: the notebook image.",
    )
    gpu_probe_timeout: int = _setting(
        15,
        "JUPYTERHUB_GPU_PROBE_TIMEOUT",
        GPU_CATEGORY,
        "Seconds GPU detection may add to the hub's start-up at most.",
        ge=1,
        le=120,
    )
    swarm_gpu_resource: str = _setting(
        "NVIDIA-GPU",
        "JUPYTERHUB_SWARM_GPU_RESOURCE",
        GPU_CATEGORY,
        "On a Docker Swarm: the generic resource kind the nodes advertise their GPUs as "
        "(node-generic-resources in each node's daemon.json); a policy's GPUs become a "
        "reservation of that many. GPUs are reserved only with JUPYTERHUB_GPU_ENABLED=1: the "
        "hub cannot detect other nodes' GPUs.",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    )
    default_gpus: Literal["all", "none"] = _setting(
        "all",
        "JUPYTERHUB_DEFAULT_GPUS",
        GPU_CATEGORY,
        "GPUs of a user whose groups say nothing about GPUs, when the engine has GPUs: all, "
        "or none (only groups whose policy grants GPUs get them).",
    )

    # -- Idle culler
    idle_culler_enabled: Switch = _setting(
        0,
        "JUPYTERHUB_IDLE_CULLER_ENABLED",
        "Idle culler",
        "1: stop servers whose idle time ran out (users can extend their session).",
    )
    idle_culler_timeout: int = _setting(
        86400,
        "JUPYTERHUB_IDLE_CULLER_TIMEOUT",
        "Idle culler",
        "Seconds without activity after which a server is stopped (the base timeout).",
        ge=10,
        le=31_536_000,
    )
    idle_culler_interval: int = _setting(
        600,
        "JUPYTERHUB_IDLE_CULLER_INTERVAL",
        "Idle culler",
        "Seconds between two checks of the culler.",
        ge=1,
        le=86400,
    )
    idle_culler_max_age: int = _setting(
        0,
        "JUPYTERHUB_IDLE_CULLER_MAX_AGE",
        "Idle culler",
        "Seconds after which a server is stopped whatever its activity or extension; 0: never.",
        ge=0,
        le=31_536_000,
    )
    idle_culler_max_extension: int = _setting(
        24,
        "JUPYTERHUB_IDLE_CULLER_MAX_EXTENSION",
        "Idle culler",
        "Hours a user can add to their session on top of the base timeout, at most.",
        ge=0,
        le=720,
    )
    idle_culler_warning: int = _setting(
        1800,
        "JUPYTERHUB_IDLE_CULLER_WARNING",
        "Idle culler",
        "Seconds before the culler stops an idle server that its user is warned inside "
        "JupyterLab, with a link to extend the session (once per cull time). At most half "
        "of JUPYTERHUB_IDLE_CULLER_TIMEOUT: a shorter timeout warns halfway. 0: no warning.",
        ge=0,
        le=86400,
    )
    idle_culler_concurrency: int = _setting(
        10,
        "JUPYTERHUB_IDLE_CULLER_CONCURRENCY",
        "Idle culler",
        "Requests the culler makes to the hub at once.",
        ge=1,
        le=100,
    )

    # -- Activity
    activitymon_sampler: Literal["hub", "service"] = _setting(
        "hub",
        "JUPYTERHUB_ACTIVITYMON_SAMPLER",
        "Activity",
        "hub: the hub samples activity itself. service: a managed service samples it through "
        "the REST API with a token of its own.",
    )
    activitymon_db_url: str = _setting(
        "",
        "JUPYTERHUB_ACTIVITYMON_DB_URL",
        "Activity",
        "SQLAlchemy URL of the database for activity samples (SQLite or PostgreSQL). "
        "Empty: the hub's database, where a user's rename or deletion moves their samples "
        "in the same transaction.",
    )
    activitymon_sample_interval: int = _setting(
        600,
        "JUPYTERHUB_ACTIVITYMON_SAMPLE_INTERVAL",
        "Activity",
        "Seconds between two activity samples of every user.",
        ge=2,
        le=86400,
    )
    activitymon_inactive_after: int = _setting(
        60,
        "JUPYTERHUB_ACTIVITYMON_INACTIVE_AFTER",
        "Activity",
        "Minutes without activity on a running server after which it counts as idle.",
        ge=1,
        le=10080,
    )
    activitymon_half_life: int = _setting(
        72,
        "JUPYTERHUB_ACTIVITYMON_HALF_LIFE",
        "Activity",
        "Hours after which a sample counts half as much in the activity score.",
        ge=1,
        le=8760,
    )
    activitymon_retention_days: int = _setting(
        7,
        "JUPYTERHUB_ACTIVITYMON_RETENTION_DAYS",
        "Activity",
        "Days samples are kept; older ones are deleted and never count.",
        ge=1,
        le=365,
    )
    activitymon_target_hours: float = _setting(
        8.0,
        "JUPYTERHUB_ACTIVITYMON_TARGET_HOURS",
        "Activity",
        "Active hours a day that make 100 % on the Activity page.",
        ge=0.5,
        le=24,
    )
    activitymon_refresh_interval: int = _setting(
        60,
        "JUPYTERHUB_ACTIVITYMON_REFRESH_INTERVAL",
        "Activity",
        "Seconds between two refreshes of the Activity page.",
        ge=2,
        le=3600,
    )

    # -- Notifications
    notifications_timeout: float = _setting(
        5.0,
        "JUPYTERHUB_NOTIFICATIONS_TIMEOUT",
        "Notifications",
        "Seconds one JupyterLab has to take a broadcast notification before it counts as "
        "timed out.",
        ge=0.5,
        le=60,
    )
    notifications_concurrency: int = _setting(
        200,
        "JUPYTERHUB_NOTIFICATIONS_CONCURRENCY",
        "Notifications",
        "Servers a broadcast is sent to at once. With at least as many as there are running "
        "servers, a broadcast takes one timeout at most.",
        ge=1,
        le=1000,
    )
    notifications_history: int = _setting(
        50,
        "JUPYTERHUB_NOTIFICATIONS_HISTORY",
        "Notifications",
        "Broadcasts kept in the hub's database and shown on the Notifications page.",
        ge=1,
        le=1000,
    )

    # -- Branding
    branding_dir: Path = _setting(
        Path("/srv/jupyterhub/branding"),
        "JUPYTERHUB_BRANDING_DIR",
        "Branding",
        "Directory the branding images given as file:// paths must lie in (after symbolic "
        "links); the hub serves no other file.",
    )
    logo_uri: str = _setting(
        "",
        "JUPYTERHUB_LOGO_URI",
        "Branding",
        "Logo in the navigation bar of every hub page: file:// path or http(s) URL. "
        "Empty: JupyterHub's.",
    )
    favicon_uri: str = _setting(
        "",
        "JUPYTERHUB_FAVICON_URI",
        "Branding",
        "Browser-tab icon of the hub's pages and of JupyterLab, kernel-busy frames "
        "included: file:// path or http(s) URL. Empty: JupyterHub's and JupyterLab's.",
    )
    lab_main_icon_uri: str = _setting(
        "",
        "JUPYTERHUB_LAB_MAIN_ICON_URI",
        "Branding",
        "JupyterLab's main icon, passed to the lab as JUPYTERLAB_MAIN_ICON_URI: "
        "file:// path or http(s) URL. Empty: the lab image's.",
    )
    lab_splash_icon_uri: str = _setting(
        "",
        "JUPYTERHUB_LAB_SPLASH_ICON_URI",
        "Branding",
        "JupyterLab's splash-screen icon, passed to the lab as JUPYTERLAB_SPLASH_ICON_URI: "
        "file:// path or http(s) URL. Empty: the lab image's.",
    )

    @field_validator("logo_uri", "favicon_uri", "lab_main_icon_uri", "lab_splash_icon_uri")
    @classmethod
    def _usable_image(cls, uri: str, info: ValidationInfo) -> str:
        # Checked here, file and all, so that `stellars-hub check` reports a
        # missing or misplaced image with every other bad setting.
        directory = info.data.get("branding_dir")
        if directory is not None:
            load_asset(uri, directory)  # BrandingError is a ValueError: a settings error
        return uri

    def branding(self) -> Branding:
        """Return the branding images, read from their files now.

        Raises:
            BrandingError: an image changed since the settings were checked.
        """
        return Branding(
            logo=load_asset(self.logo_uri, self.branding_dir),
            favicon=load_asset(self.favicon_uri, self.branding_dir),
            lab_main_icon=load_asset(self.lab_main_icon_uri, self.branding_dir),
            lab_splash_icon=load_asset(self.lab_splash_icon_uri, self.branding_dir),
        )

    @model_validator(mode="after")
    def _one_admin_password_source(self) -> HubSettings:
        if self.admin_password.get_secret_value() and self.admin_password_file:
            raise ValueError(
                "set JUPYTERHUB_ADMIN_PASSWORD or JUPYTERHUB_ADMIN_PASSWORD_FILE, not both"
            )
        if self.admin_password_file and not self.admin_password_file.is_file():
            raise ValueError(
                f"JUPYTERHUB_ADMIN_PASSWORD_FILE={str(self.admin_password_file)!r}: no such file"
            )
        return self

    @field_validator("db_password_file", "cookie_secret_file")
    @classmethod
    def _existing_file(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_file():
            raise ValueError("no such file")
        return path

    @model_validator(mode="after")
    def _one_database_password_source(self) -> HubSettings:
        if self.db_password_file is None:
            return self
        url = make_url(self.db_url)
        if url.get_backend_name() == "sqlite" or url.password is not None:
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError(
                            "db_password",
                            "goes with a JUPYTERHUB_DB_URL of a database server whose "
                            "URL has no password",
                        ),
                        loc=("JUPYTERHUB_DB_PASSWORD_FILE",),
                        input=None,
                    )
                ],
            )
        return self

    def database_url(self) -> str:
        """Return the hub's database URL, with the password of JUPYTERHUB_DB_PASSWORD_FILE in it.

        Read when called, so that a secret replaced on disk counts from the
        next start. Raises OSError when the file cannot be read.
        """
        if self.db_password_file is None:
            return self.db_url
        password = self.db_password_file.read_text().strip()
        url = make_url(self.db_url).set(password=password)
        return url.render_as_string(hide_password=False)

    @model_validator(mode="after")
    def _swarm_has_what_it_needs(self) -> HubSettings:
        if self.spawner != "swarm":
            return self
        problems = []
        if not self.network_name:
            problems.append(("JUPYTERHUB_NETWORK_NAME", _SWARM_NEEDS_A_NETWORK))
        if self.gpu_enabled == 1 and self.default_gpus == "all":
            problems.append(("JUPYTERHUB_DEFAULT_GPUS", _SWARM_RESERVES_GPUS_BY_COUNT))
        if problems:
            raise _problems("swarm", problems)
        return self

    @field_validator("swarm_volume_options", mode="before")
    @classmethod
    def _json_object(cls, value: object) -> object:
        # The environment gives text; a JSON object of strings is expected.
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as error:
                raise ValueError(f"not JSON: {error}") from error
        if not isinstance(value, dict):
            raise ValueError("must be a JSON object of strings")  # noqa: TRY004 - a setting's error
        return value

    @field_validator("swarm_volume_options")
    @classmethod
    def _local_driver_options(cls, options: dict[str, str]) -> dict[str, str]:
        if not options:
            return options
        try:
            from stellars_docker.swarm.storage import option_problems  # noqa: PLC0415
        except ImportError:
            raise ValueError(
                'volumes on a swarm need stellars-docker (pip install "stellars-hub[docker]")'
            ) from None
        problems = option_problems(options)
        if problems:
            raise ValueError("; ".join(problems))
        return options

    @model_validator(mode="after")
    def _shared_storage_is_complete(self) -> HubSettings:
        options, root = "JUPYTERHUB_SWARM_VOLUME_OPTIONS", "JUPYTERHUB_SWARM_VOLUME_ROOT"
        problems = []
        if self.spawner != "swarm":
            problems += [
                (variable, "goes with JUPYTERHUB_SPAWNER=swarm only")
                for variable, value in (
                    (options, self.swarm_volume_options),
                    (root, self.swarm_volume_root),
                )
                if value
            ]
        elif self.swarm_volume_options and not self.swarm_volume_root:
            needed = f"{options} is set: the hub needs the volumes' directories, in its container"
            problems.append((root, needed))
        elif self.swarm_volume_root and not self.swarm_volume_options:
            problems.append((root, f"goes with {options}, which is not set"))
        if problems:
            raise _problems("shared_storage", problems)
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_or_networks(cls, value: str) -> str:
        parse_trusted_proxies(value.split(","))  # TrustedProxyError names the bad entry
        return value

    def trusted_proxy_list(self) -> list[str]:
        """Return JUPYTERHUB_TRUSTED_PROXIES' entries, blanks dropped."""
        return [entry.strip() for entry in self.trusted_proxies.split(",") if entry.strip()]

    @field_validator("username_pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"not a regular expression: {error}") from error
        return pattern

    @field_validator("ssl_cert", "ssl_key")
    @classmethod
    def _readable_file(cls, path: Path | None) -> Path | None:
        if path is not None and not (path.is_file() and os.access(path, os.R_OK)):
            raise ValueError("not a readable file")
        return path

    @model_validator(mode="after")
    def _tls_is_consistent(self) -> HubSettings:
        # Each contradiction is its own problem, on its own variable, so that
        # one start-up reports all of them (as load_settings does for fields).
        problems = []
        if (self.ssl_cert is None) != (self.ssl_key is None):
            given = "JUPYTERHUB_SSL_CERT" if self.ssl_cert else "JUPYTERHUB_SSL_KEY"
            problems.append(
                (given, "set JUPYTERHUB_SSL_CERT and JUPYTERHUB_SSL_KEY together, or neither")
            )
        scheme = urlsplit(self.bind_url).scheme
        if scheme and scheme != self.bind_scheme():
            contradiction = f"{scheme}:// contradicts JUPYTERHUB_SSL_ENABLED={self.ssl_enabled}"
            fix = _SCHEME_FIX[self.ssl_enabled]
            problems.append(("JUPYTERHUB_BIND_URL", f"{contradiction} (default 1): {fix}"))
        if problems:
            raise _problems("tls", problems)
        return self

    def bind_scheme(self) -> str:
        """Return the scheme the proxy serves: https with SSL on, http with it off."""
        return "https" if self.ssl_enabled else "http"

    def public_bind_url(self) -> str:
        """Return the address the proxy listens on, its scheme following the SSL switch."""
        return self.bind_url or f"{self.bind_scheme()}://:8000"

    def initial_admin_password(self) -> str:
        """Return the configured initial admin password, or "" to have one generated."""
        if self.admin_password_file:
            return self.admin_password_file.read_text().strip()
        return self.admin_password.get_secret_value()


def _problems(kind: str, problems: list[tuple[str, str]]) -> ValidationError:
    """Return the error of a check across settings: each problem (variable, message) its own."""
    return ValidationError.from_exception_data(
        HubSettings.__name__,
        [
            InitErrorDetails(
                type=PydanticCustomError(kind, message),
                loc=(variable,),
                input=None,
            )
            for variable, message in problems
        ],
    )


def allowed_values(field: FieldInfo) -> str:
    """Return what *field* accepts, in words, from its type and constraints."""
    if get_origin(field.annotation) is Literal:
        return " or ".join(str(choice) for choice in get_args(field.annotation))
    if get_origin(field.annotation) is dict:
        return "a JSON object of strings"
    bounds = {type(rule).__name__: rule for rule in field.metadata}
    if "Ge" in bounds and "Le" in bounds:
        low, high = bounds["Ge"].ge, bounds["Le"].le
        return f"{low} or {high}" if high == low + 1 else f"{low} to {high}"
    parts = []
    if "MinLen" in bounds:
        parts.append("not empty")
    if "MaxLen" in bounds:
        parts.append(f"at most {bounds['MaxLen'].max_length} characters")
    parts.extend(
        f"matching `{rule.pattern}`" for rule in field.metadata if getattr(rule, "pattern", None)
    )
    return ", ".join(parts) or "any text"


def shown(value: object) -> str:
    """Return a setting's *value* as every listing of settings shows it, a secret masked."""
    if isinstance(value, SecretStr):
        return SECRET_MASK if value.get_secret_value() else SECRET_UNSET
    if value is None:
        return NOT_SET
    if isinstance(value, PurePath):  # a file's path, not Python's idea of one
        return repr(str(value))
    return repr(value)


def setting_rows(settings: HubSettings) -> tuple[SettingRow, ...]:
    """Return every setting in schema order: *settings*' value, the default, what is allowed.

    The one walk over the schema that the ``settings`` and ``reference``
    commands and the settings page share, so that they list the same
    settings and mask the same secrets.
    """
    defaults = HubSettings.model_validate({})
    rows = []
    for name, field in HubSettings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        value = getattr(settings, name)
        rows.append(
            SettingRow(
                name=field.alias or name,
                category=str(extra.get("category", "")),
                value=shown(value),
                default=shown(getattr(defaults, name)),
                allowed=allowed_values(field),
                description=field.description or "",
                secret=isinstance(value, SecretStr),
            )
        )
    return tuple(rows)


@dataclass(frozen=True)
class SettingProblem:
    """One invalid setting: the variable, the value given and what is allowed."""

    variable: str
    value: object
    message: str

    def __str__(self) -> str:
        if self.variable:
            return f"{self.variable}={self.value!r}: {self.message}"
        return self.message


class SettingsError(ValueError):
    """The environment holds invalid settings; ``problems`` lists every one of them."""

    def __init__(self, problems: list[SettingProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"invalid Stellars Hub settings:\n{lines}")


def load_settings(environ: Mapping[str, str]) -> HubSettings:
    """Return the settings in *environ*; unset and empty variables take their defaults.

    Raises:
        SettingsError: one or more values are invalid; it lists all of them.
    """
    given = {name: value for name, value in environ.items() if name.startswith(ENV_PREFIX)}
    # An empty variable (``VAR=`` in a compose file) means "not set".
    given = {name: value for name, value in given.items() if value != ""}
    try:
        return HubSettings.model_validate(given)
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            variable = str(detail["loc"][0]) if detail["loc"] else ""
            message = detail["msg"].removeprefix("Value error, ")
            problems.append(SettingProblem(variable, given.get(variable), message))
        raise SettingsError(problems) from None
