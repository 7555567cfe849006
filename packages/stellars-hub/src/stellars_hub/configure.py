"""``configure(c)``: assemble the platform into a JupyterHub configuration.

Composition only: each package says what it needs (a spawner mapping, an
authenticator class, a list of routes), and this module puts those pieces
where JupyterHub reads them.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from jupyterhub.utils import url_path_join

from stellars_activity import (
    ActivityMonitor,
    ActivitySettings,
    ActivityStore,
    CullWarnings,
    IdlePolicy,
    IdleSessions,
    SamplerMode,
    managed_culler,
    managed_service,
)
from stellars_auth import PlatformAdmins, StellarsNativeAuthenticator
from stellars_core.scheduler import Every
from stellars_docker import (
    BUILTIN_GROUPS,
    DEFAULT_SHARED_VOLUME,
    DockerRuntime,
    DockerSettings,
    GpuMode,
    GrantRecorder,
    SharedVolume,
    UserVolume,
    adopt_legacy_volumes_at_start,
    capture_granters,
    detect_gpus,
    make_ownership_hook,
    record_configured_members,
    register_account_deletes,
    spawner_config,
)
from stellars_docker.gpu import GPU_ENVIRONMENT_FLAGS
from stellars_docker.policy import (
    GroupPolicy,
    PolicySettings,
    SpawnBase,
    make_cap_hook,
    make_policy_hook,
    register_policy_lifecycle,
)
from stellars_docker.spawner import SPAWNER_CLASS, SWARM_SPAWNER_CLASS
from stellars_hub.hub_app import (
    running_hub,
    start_with_the_hub,
    started,
    stop_with_the_hub,
    with_the_application,
)
from stellars_hub.migrations import upgrade_platform
from stellars_hub.settings import (
    HubSettings,
    SettingProblem,
    SettingsError,
    load_settings,
    setting_rows,
)
from stellars_hub.state_files import restrict_to_owner
from stellars_hub.tls import CertificatePairError, self_signed_pair
from stellars_ui import (
    CUSTOM_SCOPES,
    TEMPLATE_DIR,
    Branding,
    BroadcastSettings,
    HealthChecks,
    MetricsRefresher,
    PlatformContext,
    UISettings,
    branding_pre_spawn_hook,
    counting_culls,
    extra_handlers,
    make_options_form,
    options_from_form,
    require_platform_context,
    restore_lab_favicon_routes,
    template_vars,
)
from stellars_ui.broadcasts import (
    BroadcastHistory,
    notify_quota_crossings,
    sender_service,
    warn_before_culls,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    PreSpawnHook = Callable[[Any], Awaitable[None] | None]

log = logging.getLogger(__name__)

LOCAL_SPAWNER_CLASS = "jupyterhub.spawner.SimpleLocalProcessSpawner"
SHARED_MOUNT_POINT = DEFAULT_SHARED_VOLUME.mount_point
NO_SHARED_VOLUME = "none"
ACTIVITY_SERVICE = "activity-sampler"
CULLER_SERVICE = "idle-culler"
NOTIFICATIONS_SERVICE = "stellars-notifications"
PLATFORM_ADMIN_ROLE = "stellars-admin"
# The most seconds a due warning before a cull waits for its check.
CULL_WARNING_INTERVAL_S = 60


def configure(c: Any, settings: HubSettings | None = None) -> HubSettings:
    """Configure JupyterHub's config object *c* as the Stellars Hub platform.

    With no *settings*, they are read from the environment (the one place the
    platform reads it). Returns the settings used, so a config file can
    build on them.

    Raises:
        SettingsError: the environment holds invalid settings.
        MigrationError: the platform's tables could not be upgraded (the
            database is left as it was).
    """
    if settings is None:
        settings = load_settings(os.environ)
    branding = settings.branding()
    _configure_hub(c, settings)
    if running_hub() is not None:
        # Before anything opens the platform's tables; a MigrationError stops
        # start-up here, with the database as it was.
        upgrade_platform(settings)
    _configure_authenticator(c, settings)
    policy = policy_settings(settings)
    apply_policy, claim_volumes, runtime = _configure_spawner(c, settings, policy)
    # The profile choice, on every spawner: what it offers is the user's policy.
    c.Spawner.options_form = make_options_form(
        policy, gpus_available=runtime is not None and runtime.gpu.enabled
    )
    c.Spawner.options_from_form = options_from_form
    monitor, sessions = _configure_activity(c, settings)
    ui, history = _configure_ui(c, settings, branding)
    _configure_branding(branding)
    # Built once from what the steps made; handlers take their parts from it.
    context = PlatformContext(
        ui=ui,
        broadcasts=history,
        health=HealthChecks(),
        activity=monitor,
        idle=sessions,
        docker=runtime,
        policy=policy,
    )
    _configure_tornado(c, context)
    # One hook: what the config file set before configure(), then each package's part.
    c.Spawner.pre_spawn_hook = composed_hook(
        _already_set(c.Spawner, "pre_spawn_hook", None),
        apply_policy,
        branding_pre_spawn_hook(branding),
        # Last: it creates volumes, which only a spawn that goes ahead should do.
        claim_volumes,
    )
    _configure_scopes(c)
    _configure_privileges()
    _configure_metrics(settings, context)
    _configure_quota_notices(settings, context)
    _configure_cull_warnings(settings, context)
    return settings


def _configure_hub(c: Any, settings: HubSettings) -> None:
    # JupyterHub takes the base URL from bind_url's path; setting base_url as
    # well makes it rebuild bind_url from its deprecated ip/port parts.
    c.JupyterHub.bind_url = public_url(settings.public_bind_url(), settings.base_url)
    if settings.ssl_enabled:
        c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key = _certificate_pair(settings)
    c.JupyterHub.db_url = settings.db_url
    c.JupyterHub.concurrent_spawn_limit = settings.concurrent_spawn_limit
    c.JupyterHub.active_server_limit = settings.active_server_limit
    if running_hub() is not None:
        # Before JupyterHub or the platform opens them (see stellars_hub.state_files).
        for db_url in {settings.db_url, _activity_db_url(settings)}:
            restrict_to_owner(db_url)
    if settings.hub_bind_url:
        c.JupyterHub.hub_bind_url = settings.hub_bind_url
    if settings.hub_connect_url:
        c.JupyterHub.hub_connect_url = settings.hub_connect_url


def _certificate_pair(settings: HubSettings) -> tuple[str, str]:
    # Absolute: the proxy is a process of its own and reads them, not the hub.
    if settings.ssl_cert and settings.ssl_key:
        return str(settings.ssl_cert.absolute()), str(settings.ssl_key.absolute())
    directory = settings.ssl_dir.absolute()
    try:
        cert, key = self_signed_pair(directory)
    except CertificatePairError as error:
        raise SettingsError(
            [SettingProblem("JUPYTERHUB_SSL_DIR", str(settings.ssl_dir), str(error))]
        ) from None
    log.warning(
        "Serving HTTPS with the self-signed certificate %s: browsers warn about it until it "
        "is trusted. Set JUPYTERHUB_SSL_CERT and JUPYTERHUB_SSL_KEY to present your own.",
        cert,
    )
    return str(cert), str(key)


def public_url(bind_url: str, base_url: str) -> str:
    """Return *bind_url* with its path replaced by *base_url*, slashes normalised."""
    parts = urlsplit(bind_url)
    path = "/" + "/".join(segment for segment in base_url.split("/") if segment)
    return urlunsplit(parts._replace(path=path.rstrip("/") + "/"))


def _configure_authenticator(c: Any, settings: HubSettings) -> None:
    c.JupyterHub.authenticator_class = StellarsNativeAuthenticator
    c.Authenticator.admin_users = {settings.admin}
    # NativeAuthenticator decides who may log in (authorised accounts); without
    # this JupyterHub refuses everyone not on an allow list, the admin included.
    c.Authenticator.allow_all = True
    c.NativeAuthenticator.enable_signup = bool(settings.signup_enabled)
    c.NativeAuthenticator.open_signup = False
    c.StellarsNativeAuthenticator.initial_admin_password = settings.initial_admin_password()
    c.StellarsNativeAuthenticator.generated_password_words = settings.generated_password_words
    c.StellarsNativeAuthenticator.generated_password_delimiter = (
        settings.generated_password_delimiter
    )
    c.StellarsNativeAuthenticator.credentials_ttl = float(settings.credentials_ttl)
    c.StellarsNativeAuthenticator.minimum_password_length = settings.password_min_length
    c.StellarsNativeAuthenticator.check_common_password = True
    c.StellarsNativeAuthenticator.lockout_failures = settings.login_lockout_attempts
    c.StellarsNativeAuthenticator.lockout_seconds = float(settings.login_lockout_seconds)
    c.StellarsNativeAuthenticator.address_failures = settings.login_address_attempts
    c.StellarsNativeAuthenticator.trusted_proxies = settings.trusted_proxy_list()
    c.StellarsNativeAuthenticator.username_max_length = settings.username_max_length
    c.StellarsNativeAuthenticator.username_allowed_pattern = settings.username_pattern


def policy_settings(settings: HubSettings) -> PolicySettings:
    """Return the policy side of *settings*: the default policy and whether quotas refuse.

    Raises:
        SettingsError: the default policy's values contradict each other (a
            guarantee above its limit).
    """
    try:
        default = GroupPolicy.model_validate(
            {
                "cpu_limit": settings.cpu_limit or None,
                "cpu_guarantee": settings.cpu_guarantee or None,
                "mem_limit": settings.mem_limit or None,
                "mem_guarantee": settings.mem_guarantee or None,
                "gpus": settings.default_gpus,
                "volume_quota": settings.volume_quota or None,
                "volume_warning_percent": settings.volume_quota_warning
                if settings.volume_quota
                else None,
            }
        )
    except ValueError as error:
        raise SettingsError(
            [
                SettingProblem(
                    "JUPYTERHUB_CPU_GUARANTEE, JUPYTERHUB_MEM_GUARANTEE",
                    f"{settings.cpu_guarantee}, {settings.mem_guarantee}",
                    str(error).splitlines()[-1].strip(),
                )
            ]
        ) from None
    return PolicySettings(default=default, refuse_over_quota=bool(settings.volume_quota_enforced))


def _configure_spawner(
    c: Any, settings: HubSettings, policy: PolicySettings
) -> tuple[PreSpawnHook | None, PreSpawnHook | None, DockerRuntime | None]:
    """Configure the spawner; return its hook parts (the policy, volume ownership), runtime.

    Without Docker the policy part applies the server cap alone; the others are None.
    """
    c.Spawner.default_url = "/lab"
    c.Spawner.start_timeout = settings.spawn_timeout
    if running_hub() is not None:
        # Policies apply on either spawner: a group's policy goes with the group.
        register_policy_lifecycle()
    if settings.spawner == "local":
        log.warning(
            "JUPYTERHUB_SPAWNER=local: servers run as processes of the hub's user, without "
            "containers or per-user volumes. Use it for a demo only."
        )
        c.JupyterHub.spawner_class = LOCAL_SPAWNER_CLASS
        if os.geteuid() == 0:
            c.Spawner.args = ["--allow-root"]
        # No container to shape, but the per-group server cap is a policy on the user.
        return make_cap_hook(policy), None, None
    c.JupyterHub.spawner_class = (
        SWARM_SPAWNER_CLASS if settings.spawner == "swarm" else SPAWNER_CLASS
    )
    docker_settings = DockerSettings(
        image=settings.notebook_image,
        network_name=settings.network_name,
        shared_volume=SharedVolume(settings.shared_volume, SHARED_MOUNT_POINT)
        if settings.shared_volume != NO_SHARED_VOLUME
        else None,
        start_timeout=settings.spawn_timeout,
        engine_timeout_s=settings.docker_timeout,
        restart_timeout_s=settings.restart_timeout,
        volume_size_interval_s=settings.volume_size_interval,
        volume_size_timeout_s=settings.volume_size_timeout,
        stats_interval_s=settings.stats_interval,
        cpu_limit=settings.cpu_limit or None,
        mem_limit=settings.mem_limit or None,
        environment=lab_service_toggles(settings),
    )
    gpu = detect_gpus(
        GpuMode(settings.gpu_enabled),
        image=settings.nvidia_image or settings.notebook_image,
        timeout_s=settings.gpu_probe_timeout,
    )
    spawner = spawner_config(docker_settings, gpu)
    for trait, value in spawner.items():
        setattr(c.DockerSpawner, trait, value)
    if settings.spawner == "swarm":
        # Each node finds the image itself when it starts a task; the
        # manager's engine need not hold it.
        c.SwarmSpawner.pull_policy = "skip"
    # What every start begins from; the policy adds GPUs, limits, access and variables.
    base = SpawnBase(
        image=settings.notebook_image,
        volumes=spawner["volumes"],
        host_config={
            key: value
            for key, value in spawner["extra_host_config"].items()
            if key != "device_requests"
        },
        environment={
            key: value
            for key, value in spawner["environment"].items()
            if key not in GPU_ENVIRONMENT_FLAGS
        },
        gpus_available=gpu.enabled,
        name_template=docker_settings.name_template,
    )
    # Created at every start; an empty entry leaves existing members alone. An
    # entry the config file wrote before calling configure() stays as written:
    # the members it lists are the operator's grants.
    c.JupyterHub.load_groups = {
        **{group: {} for group in BUILTIN_GROUPS},
        **_already_set(c.JupyterHub, "load_groups", {}),
    }
    runtime = DockerRuntime(docker_settings, gpu)
    start_with_the_hub(runtime.start)

    def volume_total(spawner: Any) -> int | None:
        return runtime.usage([spawner.user.name])[spawner.user.name].volumes_total_bytes

    apply_policy = make_policy_hook(base, policy, volume_total)
    stop_with_the_hub("the Docker engine's caches", runtime.stop)

    async def client() -> Any:
        return runtime.client

    _install_volume_ownership(client, docker_settings.user_volumes, settings.docker_timeout)
    claim_volumes = make_ownership_hook(
        client, lambda _spawner: docker_settings.user_volumes, settings.docker_timeout
    )
    return apply_policy, claim_volumes, runtime


def _install_volume_ownership(
    client: Callable[[], Awaitable[Any]],
    user_volumes: tuple[UserVolume, ...],
    limit_s: float,
) -> None:
    app = running_hub()
    if app is None:
        return
    # Before JupyterHub deletes its first user: the listener writes in the
    # hub's own delete transaction, into the tables upgrade_platform made.
    register_account_deletes()

    async def adopt() -> None:
        hub_started = started(app)
        if hub_started is not None:
            await hub_started
        await adopt_legacy_volumes_at_start(client, app.db, user_volumes, limit_s)

    start_with_the_hub(lambda: asyncio.ensure_future(adopt()))


def composed_hook(*parts: PreSpawnHook | None) -> PreSpawnHook:
    """Return one pre-spawn hook that runs each of *parts* in turn (None parts are skipped).

    A part may be a coroutine function or a plain function, as JupyterHub
    allows for its own hook.
    """
    present = [part for part in parts if part is not None]

    async def pre_spawn_hook(spawner: Any) -> None:
        for part in present:
            result = part(spawner)
            if inspect.isawaitable(result):
                await result

    return pre_spawn_hook


def lab_service_toggles(settings: HubSettings) -> dict[str, str]:
    """Return the lab image's service toggles, under the names the image reads ("0" or "1")."""
    return {
        "JUPYTERHUB_SERVICE_MLFLOW": str(settings.service_mlflow),
        "JUPYTERHUB_SERVICE_RESOURCES_MONITOR": str(settings.service_resources_monitor),
        "JUPYTERHUB_SERVICE_TENSORBOARD": str(settings.service_tensorboard),
    }


def _configure_activity(c: Any, settings: HubSettings) -> tuple[ActivityMonitor, IdleSessions]:
    services, roles = managed_services(settings)
    c.JupyterHub.services = [*_already_set(c.JupyterHub, "services", []), *services]
    c.JupyterHub.load_roles = [*_already_set(c.JupyterHub, "load_roles", []), *roles]
    monitor = ActivityMonitor(
        ActivityStore(_activity_db_url(settings), activity_settings(settings)),
        SamplerMode(settings.activitymon_sampler),
    )
    # Extensions are kept next to the activity samples (the tables are created together).
    sessions = IdleSessions(
        monitor.store.engine, idle_policy(settings), enabled=bool(settings.idle_culler_enabled)
    )
    app = running_hub()
    if app is None:
        return monitor, sessions
    # Before JupyterHub creates its first user: the tables must be there for
    # the lifecycle listeners, which write in the hub's own transactions.
    monitor.install()
    # The first tick waits for the hub to know which servers still run, so
    # it never records a running server as stopped.
    start_with_the_hub(lambda: monitor.start(app, ready=started(app)))
    stop_with_the_hub("activity sampling", monitor.stop)
    return monitor, sessions


def managed_services(settings: HubSettings) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the hub services *settings* call for, and their roles.

    The activity sampler when it runs as a service, and the idle culler when
    it is enabled.
    """
    services, roles = [], []
    if SamplerMode(settings.activitymon_sampler) is SamplerMode.SERVICE:
        service, role = managed_service(
            ACTIVITY_SERVICE, _activity_db_url(settings), activity_settings(settings)
        )
        services.append(service)
        roles.append(role)
    if settings.idle_culler_enabled:
        service, role = managed_culler(
            CULLER_SERVICE,
            idle_policy(settings),
            interval_s=settings.idle_culler_interval,
            concurrency=settings.idle_culler_concurrency,
        )
        services.append(service)
        roles.append(role)
    return services, roles


def activity_settings(settings: HubSettings) -> ActivitySettings:
    """Return the activity monitor's settings."""
    return ActivitySettings(
        half_life_hours=settings.activitymon_half_life,
        retention_days=settings.activitymon_retention_days,
        inactive_after_minutes=settings.activitymon_inactive_after,
        target_hours=settings.activitymon_target_hours,
        sample_interval_minutes=settings.activitymon_sample_interval / 60.0,
    )


def idle_policy(settings: HubSettings) -> IdlePolicy:
    """Return the idle culler's rule: base timeout, extension allowed, maximum age."""
    return IdlePolicy(
        timeout=timedelta(seconds=settings.idle_culler_timeout),
        max_extension=timedelta(hours=settings.idle_culler_max_extension),
        max_age=timedelta(seconds=settings.idle_culler_max_age),
    )


def _activity_db_url(settings: HubSettings) -> str:
    return settings.activitymon_db_url or settings.db_url


def _configure_ui(
    c: Any, settings: HubSettings, branding: Branding
) -> tuple[UISettings, BroadcastHistory]:
    ui = UISettings(
        branding=branding,
        platform_name=settings.platform_name,
        activity_refresh_interval_s=settings.activitymon_refresh_interval,
        broadcasts=BroadcastSettings(
            sender=NOTIFICATIONS_SERVICE,
            timeout_s=settings.notifications_timeout,
            concurrency=settings.notifications_concurrency,
        ),
        # For the settings page: text only, secrets already masked.
        settings_report=setting_rows(settings),
    )
    history = BroadcastHistory(settings.db_url, keep=settings.notifications_history)
    hub = c.JupyterHub
    # Added to what the config file set before calling configure(), not replacing it.
    hub.extra_handlers = [*_already_set(hub, "extra_handlers", []), *extra_handlers()]
    hub.template_paths = [TEMPLATE_DIR, *_already_set(hub, "template_paths", [])]
    hub.template_vars = {**_already_set(hub, "template_vars", {}), **template_vars(ui)}
    # The identity broadcasts are sent as: it holds access:servers and nothing else.
    service, role = sender_service(NOTIFICATIONS_SERVICE)
    hub.services = [*_already_set(hub, "services", []), service]
    hub.load_roles = [*_already_set(hub, "load_roles", []), role]
    return ui, history


def _configure_tornado(c: Any, context: PlatformContext) -> None:
    hub = c.JupyterHub
    hub.tornado_settings = {
        **_already_set(hub, "tornado_settings", {}),
        **context.tornado_settings(),
        # Every finished request goes through JupyterHub's log function; this one
        # logs as JupyterHub's does and counts the idle culler's server stops.
        "log_function": counting_culls(CULLER_SERVICE),
    }

    def check(app: Any) -> None:
        # A config file that replaced the Tornado settings after configure()
        # would otherwise leave every platform request failing; refuse to start.
        require_platform_context(app.extra_handlers, app.tornado_application.settings)

    with_the_application(check)


def _configure_branding(branding: Branding) -> None:
    app = running_hub()
    if app is None or branding.favicon is None:
        return

    async def restore_routes() -> None:
        hub_started = started(app)
        if hub_started is not None:
            await hub_started
        try:
            routed = await restore_lab_favicon_routes(app.users, app.proxy, app.hub)
        except Exception:  # the favicon is cosmetic: never more than a log line
            log.exception("could not restore the lab favicon routes")
        else:
            log.info("lab favicon routes restored for %d running server(s)", routed)

    start_with_the_hub(lambda: asyncio.ensure_future(restore_routes()))


def _configure_scopes(c: Any) -> None:
    hub = c.JupyterHub
    hub.custom_scopes = {**_already_set(hub, "custom_scopes", {}), **CUSTOM_SCOPES}
    # JupyterHub refuses any change to its admin role ("Cannot override admin
    # role"), so the platform's scopes come in a role of their own, held by
    # exactly the hub's admins (stellars_auth.PlatformAdmins); an operator
    # delegates single scopes to others with roles of their own. No "users"
    # list: JupyterHub would reset the members to it at every start,
    # revoking admins made at runtime.
    hub.load_roles = [
        *_already_set(hub, "load_roles", []),
        {
            "name": PLATFORM_ADMIN_ROLE,
            "description": "The platform's own administrative scopes, held by every hub admin.",
            "scopes": list(CUSTOM_SCOPES),
        },
    ]


def _configure_privileges() -> None:
    """Docker-access grants honoured only from full admins; platform scopes follow admin flags."""
    app = running_hub()
    if app is None:
        return
    # Before JupyterHub loads its groups and users: their changes are recorded.
    # Every group's memberships: any group's policy may grant Docker access.
    recorder = GrantRecorder(groups=None)
    recorder.install()
    admins = PlatformAdmins(PLATFORM_ADMIN_ROLE)
    admins.install()

    def before_serving(app: Any) -> None:
        capture_granters(app.tornado_application)
        # From now on a change made outside an authenticated API request is nobody's grant.
        recorder.loading_configuration = False
        record_configured_members(app.db, configured_members(app.load_groups))
        admins.sync(app.db)

    with_the_application(before_serving)


def configured_members(load_groups: Any) -> dict[str, list[str]]:
    """Return the members ``c.JupyterHub.load_groups`` lists for each group (both its forms)."""
    members = {}
    for name, contents in dict(load_groups or {}).items():
        listed = contents.get("users", []) if isinstance(contents, dict) else contents
        members[name] = list(listed)
    return members


def _configure_metrics(settings: HubSettings, context: PlatformContext) -> None:
    app = running_hub()
    if app is None:
        return
    refresher = MetricsRefresher(
        context.activity,
        context.docker,
        interval_s=settings.activitymon_refresh_interval,
    )

    async def start_once_started() -> None:
        # The first refresh reads the activity store, which first drops what
        # expired while the hub was down: never while JupyterHub still writes
        # its own tables at start (on SQLite, one lock for the whole file).
        hub_started = started(app)
        if hub_started is not None:
            await hub_started
        refresher.start(app.db)

    start_with_the_hub(lambda: asyncio.ensure_future(start_once_started()))
    stop_with_the_hub("the platform's metrics", refresher.stop)


def _configure_quota_notices(settings: HubSettings, context: PlatformContext) -> None:
    app = running_hub()
    runtime = context.docker
    if app is None or runtime is None:
        return

    async def notify(_moment: datetime) -> None:
        await notify_quota_crossings(
            app.db, app.users, runtime, context.policy, context.ui.broadcasts
        )

    # As often as the sizes are measured: a crossing is told within two intervals.
    _every_once_started("quota notices", settings.volume_size_interval, notify)


def _configure_cull_warnings(settings: HubSettings, context: PlatformContext) -> None:
    app = running_hub()
    warnings = CullWarnings(context.idle, timedelta(seconds=settings.idle_culler_warning))
    if app is None or not warnings.enabled:
        return

    async def warn(_moment: datetime) -> None:
        # The home page's session card, on the public origin the labs share;
        # read here, as JupyterHub makes app.hub after loading its config.
        home_url = url_path_join(app.hub.base_url, "home") + "#stellars-session"
        await warn_before_culls(
            app.db, app.users, warnings, context.ui.broadcasts, home_url=home_url
        )

    # Every minute, or as often as the culler checks when that is more often:
    # a warning is never more than a minute late.
    interval = min(settings.idle_culler_interval, CULL_WARNING_INTERVAL_S)
    _every_once_started("cull warnings", interval, warn)


def _every_once_started(
    name: str, interval_s: float, job: Callable[[datetime], Awaitable[object]]
) -> None:
    """Run *job* every *interval_s* seconds from the moment the hub has started."""
    app = running_hub()
    if app is None:
        return
    every = Every(name, interval_s, job)

    async def start_once_started() -> None:
        # Servers that ran before a restart are known only once the hub has started.
        hub_started = started(app)
        if hub_started is not None:
            await hub_started
        every.start()

    start_with_the_hub(lambda: asyncio.ensure_future(start_once_started()))
    stop_with_the_hub(f"the {name}", every.stop)


def _already_set(section: Any, trait: str, default: Any) -> Any:
    # Not section[trait]: an unset trait reads as a lazy placeholder in a traitlets Config.
    return section.get(trait, default)
