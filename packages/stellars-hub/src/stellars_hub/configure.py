"""``configure(c)``: assemble the platform into a JupyterHub configuration.

Composition only: each package says what it needs (a spawner mapping, an
authenticator class, a list of routes), and this module puts those pieces
where JupyterHub reads them.
"""

from __future__ import annotations

import asyncio
import importlib.util
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
from stellars_hub.hub_app import (
    every_once_started,
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
    require_platform_context,
    restore_lab_favicon_routes,
    template_vars,
)
from stellars_ui.broadcasts import (
    BroadcastHistory,
    sender_service,
    warn_before_culls,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from types import ModuleType

    from stellars_docker import DockerRuntime
    from stellars_docker.policy import PolicySettings

    PreSpawnHook = Callable[[Any], Awaitable[None] | None]

log = logging.getLogger(__name__)

ACTIVITY_SERVICE = "activity-sampler"
CULLER_SERVICE = "idle-culler"
NOTIFICATIONS_SERVICE = "stellars-notifications"
PLATFORM_ADMIN_ROLE = "stellars-admin"
# The most seconds a due warning before a cull waits for its check.
CULL_WARNING_INTERVAL_S = 60
# The spawner a zero-to-jupyterhub deployment runs; its operator configures it.
KUBE_SPAWNER_CLASS = "kubespawner.KubeSpawner"
DOCKER_EXTRA = "stellars-hub[docker]"


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
    # None on Kubernetes: nothing of Docker is imported, nor needs to be installed.
    docker = None if settings.spawner == "kubernetes" else docker_platform(settings)
    branding = settings.branding()
    _configure_hub(c, settings)
    if running_hub() is not None:
        # Before anything opens the platform's tables; a MigrationError stops
        # start-up here, with the database as it was.
        upgrade_platform(settings)
    _configure_authenticator(c, settings)
    c.Spawner.default_url = "/lab"
    c.Spawner.start_timeout = settings.spawn_timeout
    policy: PolicySettings | None = None
    apply_policy: PreSpawnHook | None = None
    claim_volumes: PreSpawnHook | None = None
    runtime: DockerRuntime | None = None
    if docker is None:
        _configure_kubernetes(c)
    else:
        policy = docker.policy_settings(settings)
        apply_policy, claim_volumes, runtime = docker.configure_spawner(c, settings, policy)
    monitor, sessions = _configure_activity(c, settings)
    ui, history = _configure_ui(c, settings, branding, docker=docker is not None)
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
    if docker is not None:
        # Before the admins' role: JupyterHub loads groups and users after both.
        docker.configure_grants()
    _configure_admins()
    _configure_metrics(settings, context)
    if docker is not None and policy is not None:
        docker.configure_quota_notices(settings, context, policy)
    _configure_cull_warnings(settings, context)
    return settings


class DockerExtraMissingError(SettingsError):
    """The spawner needs stellars-docker, which is not installed (``stellars-hub[docker]``)."""


def docker_platform(settings: HubSettings) -> ModuleType:
    """Return the Docker side of the configuration (``stellars_hub.docker_platform``).

    Raises:
        DockerExtraMissingError: stellars-docker is not installed; the message
            says to install ``stellars-hub[docker]`` (or to choose Kubernetes).
    """
    # Asked before importing, so a missing extra is said plainly rather than
    # as whichever import happens to fail first.
    if importlib.util.find_spec("stellars_docker") is None:
        raise DockerExtraMissingError(
            [
                SettingProblem(
                    "JUPYTERHUB_SPAWNER",
                    settings.spawner,
                    f"this spawner needs stellars-docker, which is not installed: "
                    f'install the platform with pip install "{DOCKER_EXTRA}" (or set '
                    f"JUPYTERHUB_SPAWNER=kubernetes on a hub without Docker)",
                )
            ]
        )
    from stellars_hub import docker_platform as docker  # noqa: PLC0415 - see above

    return docker


def _configure_kubernetes(c: Any) -> None:
    # KubeSpawner is the operator's, configured as zero-to-jupyterhub does;
    # a class the config file set (z2jh sets its own) stays.
    if "spawner_class" not in c.JupyterHub:
        c.JupyterHub.spawner_class = KUBE_SPAWNER_CLASS
    log.info(
        "JUPYTERHUB_SPAWNER=kubernetes: the platform's Docker features (volumes, restart, "
        "stats, sizes, GPUs, group policies, grants) are off; the spawner is configured "
        "by the operator."
    )


def _configure_hub(c: Any, settings: HubSettings) -> None:
    # JupyterHub takes the base URL from bind_url's path; setting base_url as
    # well makes it rebuild bind_url from its deprecated ip/port parts.
    c.JupyterHub.bind_url = public_url(settings.public_bind_url(), settings.base_url)
    if settings.ssl_enabled:
        c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key = _certificate_pair(settings)
    c.JupyterHub.db_url = settings.database_url()
    if settings.cookie_secret_file is not None:
        c.JupyterHub.cookie_secret_file = str(settings.cookie_secret_file.absolute())
    c.JupyterHub.concurrent_spawn_limit = settings.concurrent_spawn_limit
    c.JupyterHub.active_server_limit = settings.active_server_limit
    if running_hub() is not None:
        # Before JupyterHub or the platform opens them (see stellars_hub.state_files).
        for db_url in {settings.database_url(), _activity_db_url(settings)}:
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
    return settings.activitymon_db_url or settings.database_url()


def _configure_ui(
    c: Any, settings: HubSettings, branding: Branding, *, docker: bool
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
        docker=docker,
    )
    history = BroadcastHistory(settings.database_url(), keep=settings.notifications_history)
    hub = c.JupyterHub
    # Added to what the config file set before calling configure(), not replacing it.
    hub.extra_handlers = [*_already_set(hub, "extra_handlers", []), *extra_handlers(docker=docker)]
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


def _configure_admins() -> None:
    """Platform scopes follow admin flags: the platform's role is held by exactly the admins."""
    app = running_hub()
    if app is None:
        return
    # Before JupyterHub loads its users: their admin flags are followed.
    admins = PlatformAdmins(PLATFORM_ADMIN_ROLE)
    admins.install()

    def before_serving(app: Any) -> None:
        admins.sync(app.db)

    with_the_application(before_serving)


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
    every_once_started("cull warnings", interval, warn)


def _already_set(section: Any, trait: str, default: Any) -> Any:
    # Not section[trait]: an unset trait reads as a lazy placeholder in a traitlets Config.
    return section.get(trait, default)
