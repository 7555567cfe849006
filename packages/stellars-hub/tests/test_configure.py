import asyncio
import json
import logging

import pytest
from traitlets.config import Config

from stellars_docker import DockerUnavailableError
from stellars_docker.swarm.agent import AgentNodeWork
from stellars_docker.swarm.storage_work import SharedStorageNodeWork
from stellars_hub import (
    HubSettings,
    SettingsError,
    StellarsNativeAuthenticator,
    configure,
    load_settings,
)
from stellars_hub.configure import public_url
from stellars_ui import platform_context


def _settings(environ):
    # GPU detection would start a probe container on whatever engine answers;
    # SSL on would write a certificate into the working folder.
    return load_settings({"JUPYTERHUB_GPU_ENABLED": "0", "JUPYTERHUB_SSL_ENABLED": "0", **environ})


@pytest.fixture
def config():
    return Config()


def test_configure_sets_up_dockerspawner_with_the_local_image(config):
    configure(config, _settings({"JUPYTERHUB_NOTEBOOK_IMAGE": "lab:7"}))
    assert config.JupyterHub.spawner_class == "dockerspawner.DockerSpawner"
    assert config.DockerSpawner.image == "lab:7"
    assert config.DockerSpawner.pull_policy == "never"
    assert config.DockerSpawner.volumes == {
        "jupyterlab-{username}_home": "/home/jovyan",
        "jupyterlab-{username}_workspace": "/home/jovyan/workspace",
        "jupyterlab-{username}_cache": "/home/jovyan/.cache",
        "jupyterhub_shared": "/mnt/shared",
    }


def test_containers_get_the_limits_and_the_lab_service_toggles(config):
    configure(
        config,
        _settings(
            {
                "JUPYTERHUB_CPU_LIMIT": "1.5",
                "JUPYTERHUB_MEM_LIMIT": "4G",
                "JUPYTERHUB_SERVICE_MLFLOW": "0",
            }
        ),
    )
    assert config.DockerSpawner.cpu_limit == 1.5
    assert config.DockerSpawner.mem_limit == "4G"
    environment = config.DockerSpawner.environment
    assert environment["JUPYTERHUB_SERVICE_MLFLOW"] == "0"
    assert environment["JUPYTERHUB_SERVICE_RESOURCES_MONITOR"] == "1"
    assert environment["JUPYTERHUB_SERVICE_TENSORBOARD"] == "1"
    assert environment["NVIDIA_DETECTED"] == "0"  # the GPU flags are still there


def test_no_limits_unless_set(config):
    configure(config, _settings({}))
    assert "cpu_limit" not in config.DockerSpawner
    assert "mem_limit" not in config.DockerSpawner


def test_a_memory_limit_must_read_as_jupyterhub_writes_it():
    for bad in ("4 GB", "-1G", "0", "4g"):
        with pytest.raises(SettingsError, match="JUPYTERHUB_MEM_LIMIT"):
            load_settings({"JUPYTERHUB_MEM_LIMIT": bad})


def test_no_shared_volume_when_it_is_none(config):
    configure(config, _settings({"JUPYTERHUB_SHARED_VOLUME": "none"}))
    assert "jupyterhub_shared" not in config.DockerSpawner.volumes


def test_configure_uses_the_stellars_authenticator_and_lets_authorised_users_in(config):
    configure(config, _settings({"JUPYTERHUB_ADMIN": "boss", "JUPYTERHUB_ADMIN_PASSWORD": "pw"}))
    assert config.JupyterHub.authenticator_class is StellarsNativeAuthenticator
    assert config.Authenticator.admin_users == {"boss"}
    assert config.Authenticator.allow_all is True
    assert config.StellarsNativeAuthenticator.initial_admin_password == "pw"


def test_configure_keeps_handlers_and_settings_set_before_it(config):
    config.JupyterHub.extra_handlers = [("/mine", object)]
    config.JupyterHub.tornado_settings = {"mine": 1}
    configure(config, _settings({}))
    paths = [route[0] for route in config.JupyterHub.extra_handlers]
    assert paths[0] == "/mine"
    assert "/api/stellars/info" in paths
    assert config.JupyterHub.tornado_settings["mine"] == 1
    assert platform_context(config.JupyterHub.tornado_settings).ui.platform_name


def _swarm_settings(secret_file):
    return _settings(
        {
            "JUPYTERHUB_SPAWNER": "swarm",
            "JUPYTERHUB_NETWORK_NAME": "labs",
            "JUPYTERHUB_SWARM_AGENT_SECRET_FILE": str(secret_file),
        }
    )


def test_the_swarm_spawner_runs_servers_on_the_overlay_network_and_never_checks_the_image(
    config, tmp_path
):
    secret = tmp_path / "agent-secret"
    secret.write_text("s3cret\n")
    configure(config, _swarm_settings(secret))
    assert config.JupyterHub.spawner_class == "stellars_docker.swarm.SwarmSpawner"
    assert config.DockerSpawner.network_name == "labs"
    assert config.DockerSpawner.use_internal_ip is True
    # Each node has the image or fetches it; the manager's engine need not.
    assert config.SwarmSpawner.pull_policy == "skip"


def test_the_swarm_spawner_without_a_network_stops_start_up_naming_the_variable():
    with pytest.raises(SettingsError) as raised:
        _settings({"JUPYTERHUB_SPAWNER": "swarm"})
    (problem,) = raised.value.problems
    assert problem.variable == "JUPYTERHUB_NETWORK_NAME"
    assert "overlay network" in str(raised.value)


def test_a_swarm_reserves_gpus_only_when_the_operator_turns_them_on(config, monkeypatch, tmp_path):
    # The hub's own node is not where servers run: no probe, whatever the mode.
    monkeypatch.setattr(
        "stellars_hub.docker_platform.detect_gpus",
        lambda *args, **kwargs: pytest.fail("a probe on a swarm"),
    )
    secret = tmp_path / "agent-secret"
    secret.write_text("s3cret")
    swarm = {
        "JUPYTERHUB_SPAWNER": "swarm",
        "JUPYTERHUB_NETWORK_NAME": "labs",
        "JUPYTERHUB_SWARM_AGENT_SECRET_FILE": str(secret),
    }
    configure(config, _settings(swarm))  # the default mode, 2: detection, which a swarm cannot do
    assert platform_context(config.JupyterHub.tornado_settings).docker.gpu.enabled is False
    on = {**swarm, "JUPYTERHUB_GPU_ENABLED": "1", "JUPYTERHUB_DEFAULT_GPUS": "none"}
    turned_on = Config()
    configure(turned_on, _settings(on))
    assert platform_context(turned_on.JupyterHub.tornado_settings).docker.gpu.enabled is True


def test_all_gpus_by_default_on_a_swarm_stops_start_up_naming_the_variable():
    with pytest.raises(SettingsError) as raised:
        _settings(
            {
                "JUPYTERHUB_SPAWNER": "swarm",
                "JUPYTERHUB_NETWORK_NAME": "labs",
                "JUPYTERHUB_GPU_ENABLED": "1",
            }
        )
    (problem,) = raised.value.problems
    assert problem.variable == "JUPYTERHUB_DEFAULT_GPUS"
    assert "a number of GPUs" in str(raised.value)


@pytest.mark.parametrize("content", [None, "", "  \n"], ids=["missing", "empty", "blank"])
def test_the_swarm_spawner_without_the_agents_secret_stops_start_up_naming_the_variable(
    config, tmp_path, content
):
    secret = tmp_path / "agent-secret"
    if content is not None:
        secret.write_text(content)
    with pytest.raises(SettingsError) as raised:
        configure(config, _swarm_settings(secret))
    (problem,) = raised.value.problems
    assert problem.variable == "JUPYTERHUB_SWARM_AGENT_SECRET_FILE"


_BIND = {"type": "none", "o": "bind", "device": "/mnt/stellars/{volume}"}


def _shared_storage_settings(secret_file, root):
    return _settings(
        {
            "JUPYTERHUB_SPAWNER": "swarm",
            "JUPYTERHUB_NETWORK_NAME": "labs",
            "JUPYTERHUB_SWARM_AGENT_SECRET_FILE": str(secret_file),
            "JUPYTERHUB_SWARM_VOLUME_OPTIONS": json.dumps(_BIND),
            "JUPYTERHUB_SWARM_VOLUME_ROOT": str(root),
        }
    )


def test_volumes_on_shared_storage_give_every_mount_the_options_and_the_hub_the_directories(
    config, tmp_path
):
    secret = tmp_path / "agent-secret"
    secret.write_text("s3cret")
    configure(config, _shared_storage_settings(secret, tmp_path))
    assert config.SwarmSpawner.volume_options == _BIND
    # The nodes are still asked whose volume objects they keep; the hook claims the directories.
    assert config.SwarmSpawner.volume_check is not None
    runtime = platform_context(config.JupyterHub.tornado_settings).docker
    assert isinstance(runtime.node_work, SharedStorageNodeWork)


def test_local_volumes_on_a_swarm_leave_the_mounts_alone(config, tmp_path):
    secret = tmp_path / "agent-secret"
    secret.write_text("s3cret")
    configure(config, _swarm_settings(secret))
    assert "volume_options" not in config.SwarmSpawner
    runtime = platform_context(config.JupyterHub.tornado_settings).docker
    assert isinstance(runtime.node_work, AgentNodeWork)


def test_a_volume_root_the_hub_does_not_see_stops_start_up_naming_the_variable(config, tmp_path):
    secret = tmp_path / "agent-secret"
    secret.write_text("s3cret")
    with pytest.raises(SettingsError) as raised:
        configure(config, _shared_storage_settings(secret, tmp_path / "not-mounted"))
    (problem,) = raised.value.problems
    assert problem.variable == "JUPYTERHUB_SWARM_VOLUME_ROOT"
    assert "mount the storage" in problem.message


def test_the_local_spawner_is_a_choice_for_machines_without_docker(config):
    configure(config, _settings({"JUPYTERHUB_SPAWNER": "local"}))
    assert config.JupyterHub.spawner_class == "jupyterhub.spawner.SimpleLocalProcessSpawner"


@pytest.mark.parametrize(
    ("bind_url", "base_url", "expected"),
    [
        ("http://:8000", "/", "http://:8000/"),
        ("http://127.0.0.1:8000", "/jupyterhub", "http://127.0.0.1:8000/jupyterhub/"),
        ("http://127.0.0.1:8000/", "/jupyterhub/", "http://127.0.0.1:8000/jupyterhub/"),
        ("https://hub.example:443", "//a//b/", "https://hub.example:443/a/b/"),
    ],
)
def test_the_base_url_becomes_the_path_of_the_public_url(bind_url, base_url, expected):
    assert public_url(bind_url, base_url) == expected


def test_with_ssl_off_the_proxy_serves_plain_http(config):
    configure(config, _settings({}))
    assert config.JupyterHub.bind_url == "http://:8000/"
    assert "ssl_cert" not in config.JupyterHub


def test_with_ssl_on_a_self_signed_pair_is_made_in_the_ssl_folder(config, tmp_path, monkeypatch):
    # The default folder is relative: it lands in the hub's working folder,
    # and the proxy (another process) gets absolute paths.
    monkeypatch.chdir(tmp_path)
    configure(config, _settings({"JUPYTERHUB_SSL_ENABLED": "1"}))
    assert config.JupyterHub.bind_url == "https://:8000/"
    assert config.JupyterHub.ssl_cert == str(tmp_path / "ssl" / "cert.pem")
    assert config.JupyterHub.ssl_key == str(tmp_path / "ssl" / "key.pem")
    assert (tmp_path / "ssl" / "cert.pem").is_file()


def test_a_given_certificate_is_used_as_it_is(config, tmp_path):
    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    cert.write_text("certificate")
    key.write_text("key")
    ssl_dir = tmp_path / "ssl"
    configure(
        config,
        _settings(
            {
                "JUPYTERHUB_SSL_ENABLED": "1",
                "JUPYTERHUB_SSL_CERT": str(cert),
                "JUPYTERHUB_SSL_KEY": str(key),
                "JUPYTERHUB_SSL_DIR": str(ssl_dir),
            }
        ),
    )
    assert (config.JupyterHub.ssl_cert, config.JupyterHub.ssl_key) == (str(cert), str(key))
    assert not ssl_dir.exists()  # nothing generated


def test_half_a_pair_in_the_ssl_folder_stops_configure(config, tmp_path):
    ssl_dir = tmp_path / "ssl"
    ssl_dir.mkdir()
    (ssl_dir / "key.pem").write_text("a key alone")
    environ = {"JUPYTERHUB_SSL_ENABLED": "1", "JUPYTERHUB_SSL_DIR": str(ssl_dir)}
    with pytest.raises(SettingsError, match="JUPYTERHUB_SSL_DIR") as raised:
        configure(config, _settings(environ))
    assert "cert.pem does not" in str(raised.value)


def test_activity_settings_reach_the_monitor(config, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'activity.sqlite'}"
    configure(
        config,
        _settings(
            {
                "JUPYTERHUB_ACTIVITYMON_DB_URL": db_url,
                "JUPYTERHUB_ACTIVITYMON_SAMPLE_INTERVAL": "300",
                "JUPYTERHUB_ACTIVITYMON_HALF_LIFE": "24",
                "JUPYTERHUB_ACTIVITYMON_RETENTION_DAYS": "14",
                "JUPYTERHUB_ACTIVITYMON_INACTIVE_AFTER": "30",
                "JUPYTERHUB_ACTIVITYMON_TARGET_HOURS": "6.5",
                "JUPYTERHUB_ACTIVITYMON_REFRESH_INTERVAL": "15",
            }
        ),
    )
    monitor = platform_context(config.JupyterHub.tornado_settings).activity
    assert str(monitor.store.engine.url) == db_url
    assert monitor.mode == "hub"
    assert monitor.interval.total_seconds() == 300
    assert monitor.inactive_after.total_seconds() == 30 * 60
    settings = monitor.settings
    assert (settings.half_life_hours, settings.retention_days, settings.target_hours) == (
        24,
        14,
        6.5,
    )
    assert platform_context(config.JupyterHub.tornado_settings).ui.activity_refresh_interval_s == 15
    # Outside a running hub nothing is created: the tables appear when the hub loads the config.
    assert not (tmp_path / "activity.sqlite").exists()


def test_activity_samples_go_to_the_hubs_database_by_default(config):
    configure(config, _settings({"JUPYTERHUB_DB_URL": "postgresql://hub@db/jupyterhub"}))
    monitor = platform_context(config.JupyterHub.tornado_settings).activity
    assert monitor.store.engine.url.render_as_string() == "postgresql://hub@db/jupyterhub"


def test_the_service_sampler_is_a_managed_service_with_the_fewest_scopes(config, tmp_path):
    config.JupyterHub.services = [{"name": "mine"}]
    configure(
        config,
        _settings(
            {
                "JUPYTERHUB_ACTIVITYMON_SAMPLER": "service",
                "JUPYTERHUB_DB_URL": "sqlite:///jupyterhub.sqlite",
            }
        ),
    )
    services = {service["name"]: service for service in config.JupyterHub.services}
    assert set(services) == {"mine", "activity-sampler", "stellars-notifications"}
    sampler = services["activity-sampler"]
    assert sampler["command"][1:] == ["-m", "stellars_activity.service"]
    environment = sampler["environment"]
    # The service runs in another working directory: a relative SQLite path is made absolute.
    assert environment["STELLARS_ACTIVITY_DB_URL"].startswith("sqlite:////")
    assert float(environment["STELLARS_ACTIVITY_INTERVAL_S"]) == 600
    role = next(r for r in config.JupyterHub.load_roles if r["name"] == "activity-sampler")
    assert sorted(role["scopes"]) == ["list:users", "read:servers"]
    assert role["services"] == ["activity-sampler"]


def test_broadcasts_are_sent_as_a_service_that_can_only_reach_servers(config):
    configure(
        config,
        _settings(
            {
                "JUPYTERHUB_NOTIFICATIONS_TIMEOUT": "2.5",
                "JUPYTERHUB_NOTIFICATIONS_CONCURRENCY": "40",
                "JUPYTERHUB_NOTIFICATIONS_HISTORY": "7",
            }
        ),
    )
    sender = next(s for s in config.JupyterHub.services if s["name"] == "stellars-notifications")
    # An identity only: nothing to start, no URL, no token of its own.
    assert set(sender) == {"name", "display"}
    role = next(r for r in config.JupyterHub.load_roles if r["name"] == "stellars-notifications")
    assert role["scopes"] == ["access:servers"]
    assert role["services"] == ["stellars-notifications"]
    context = platform_context(config.JupyterHub.tornado_settings)
    options = context.ui.broadcasts
    assert (options.sender, options.timeout_s, options.concurrency) == (
        "stellars-notifications",
        2.5,
        40,
    )
    assert context.broadcasts.keep == 7


def test_the_settings_page_gets_every_setting_with_secrets_masked(config):
    configure(
        config,
        _settings({"JUPYTERHUB_ADMIN_PASSWORD": "page-secret", "JUPYTERHUB_SPAWN_TIMEOUT": "90"}),
    )
    report = platform_context(config.JupyterHub.tornado_settings).ui.settings_report
    rows = {row.name: row for row in report}
    assert list(rows) == [field.alias for field in HubSettings.model_fields.values()]
    assert rows["JUPYTERHUB_SPAWN_TIMEOUT"].value == "90"
    assert rows["JUPYTERHUB_ADMIN_PASSWORD"].value == "********"
    assert "page-secret" not in repr(report)


def test_the_platforms_custom_scopes_are_declared_in_a_role_without_a_member_list(config):
    config.JupyterHub.load_roles = [{"name": "mine", "scopes": ["read:users"]}]
    configure(config, _settings({"JUPYTERHUB_ADMIN": "boss"}))
    assert set(config.JupyterHub.custom_scopes) == {
        "custom:activity:reset",
        "custom:activity:sample",
        "custom:credentials:read",
        "custom:docker-grants:read",
        "custom:group-policies:read",
        "custom:group-policies:write",
        "custom:notifications:broadcast",
        "custom:settings:read",
        "custom:volumes:archive",
    }
    roles = {role["name"]: role for role in config.JupyterHub.load_roles}
    assert "mine" in roles
    assert set(roles["stellars-admin"]["scopes"]) == set(config.JupyterHub.custom_scopes)
    # No member list: JupyterHub would reset the role to it at every start; the
    # role follows the admin flag instead (test_platform_admins.py).
    assert "users" not in roles["stellars-admin"]


def test_account_settings_reach_the_authenticator(config):
    configure(
        config,
        _settings(
            {
                "JUPYTERHUB_PASSWORD_MIN_LENGTH": "12",
                "JUPYTERHUB_LOGIN_LOCKOUT_ATTEMPTS": "0",
                "JUPYTERHUB_LOGIN_LOCKOUT_SECONDS": "60",
                "JUPYTERHUB_GENERATED_PASSWORD_WORDS": "5",
                "JUPYTERHUB_GENERATED_PASSWORD_DELIMITER": "+",
                "JUPYTERHUB_CREDENTIALS_TTL": "120",
            }
        ),
    )
    auth = config.StellarsNativeAuthenticator
    assert (auth.minimum_password_length, auth.check_common_password) == (12, True)
    assert (auth.lockout_failures, auth.lockout_seconds) == (0, 60.0)
    assert (auth.generated_password_words, auth.generated_password_delimiter) == (5, "+")
    assert auth.credentials_ttl == 120.0


def test_no_culler_unless_enabled(config):
    configure(config, _settings({}))
    services = _already(config, "services")
    assert "idle-culler" not in {service["name"] for service in services}
    assert platform_context(config.JupyterHub.tornado_settings).idle.enabled is False


def test_the_culler_is_a_service_with_the_settings_and_the_fewest_scopes(config):
    configure(
        config,
        _settings(
            {
                "JUPYTERHUB_IDLE_CULLER_ENABLED": "1",
                "JUPYTERHUB_IDLE_CULLER_TIMEOUT": "3600",
                "JUPYTERHUB_IDLE_CULLER_INTERVAL": "60",
                "JUPYTERHUB_IDLE_CULLER_MAX_AGE": "86400",
                "JUPYTERHUB_IDLE_CULLER_MAX_EXTENSION": "12",
                "JUPYTERHUB_IDLE_CULLER_CONCURRENCY": "5",
            }
        ),
    )
    culler = next(s for s in config.JupyterHub.services if s["name"] == "idle-culler")
    command = culler["command"]
    assert command[1:3] == ["-m", "jupyterhub_idle_culler"]
    assert {"--timeout=3600", "--cull-every=60", "--max-age=86400", "--concurrency=5"} <= set(
        command
    )
    assert any(arg.startswith("--config=") and arg.endswith("culler_config.py") for arg in command)
    role = next(r for r in config.JupyterHub.load_roles if r["name"] == "idle-culler")
    assert sorted(role["scopes"]) == [
        "delete:servers",
        "list:users",
        "read:servers",
        "read:users:activity",
    ]
    sessions = platform_context(config.JupyterHub.tornado_settings).idle
    assert sessions.enabled is True
    assert sessions.policy.ceiling.total_seconds() == 3600 + 12 * 3600


def _already(config, trait):
    return config.JupyterHub.get(trait, [])


def test_one_pre_spawn_hook_runs_the_config_files_then_each_packages_part(config, tmp_path):
    # A lab icon shows the branding part ran; the docker part adds nothing for a
    # user in no access group, so the config file's own hook is checked by its mark.
    ran = []
    config.Spawner.pre_spawn_hook = lambda spawner: ran.append(spawner.user.name)
    configure(config, _settings({"JUPYTERHUB_LAB_SPLASH_ICON_URI": "https://x.example/s.svg"}))
    spawner = _FakeSpawner()
    # The volume-ownership part runs last, and no engine has answered this
    # hub (it never started): the spawn is refused rather than mounting unchecked volumes.
    with pytest.raises(DockerUnavailableError):
        asyncio.run(config.Spawner.pre_spawn_hook(spawner))
    assert ran == ["ada"]
    assert spawner.environment["JUPYTERLAB_SPLASH_ICON_URI"] == "https://x.example/s.svg"
    assert "JUPYTERLAB_MAIN_ICON_URI" not in spawner.environment
    assert spawner.volumes == config.DockerSpawner.volumes  # the docker part ran


class _FakeSpawner:
    """What the hook parts read of a spawner: no favicon, so no proxy is needed."""

    def __init__(self):
        # In no group: the policy part finds no membership and records what the start applies.
        recorded = type(
            "Database",
            (),
            {"execute": lambda _self, _statement: [], "rollback": lambda _self: None},
        )()
        self.user = type(
            "User", (), {"name": "ada", "id": 1, "groups": [], "spawners": {}, "db": recorded}
        )()
        self.name = ""
        self.user_options = {}
        self.hub = type("Hub", (), {"base_url": "/hub/"})()
        self.environment = {}
        self.volumes = {}
        self.extra_host_config = {}
        self.log = logging.getLogger("fake-spawner")

    def template_namespace(self):
        return {"username": "ada"}


def test_members_listed_before_configure_are_kept(config):
    # The operator's jupyterhub_config.py may list Docker-access members above
    # configure(c); those members are the operator's grants, never dropped.
    config.JupyterHub.load_groups = {"docker-sock": {"users": ["ada"]}, "staff": ["bo"]}
    configure(config, _settings({}))
    assert config.JupyterHub.load_groups == {
        "docker-sock": {"users": ["ada"]},
        "docker-privileged": {},
        "staff": ["bo"],
    }


def test_the_cookie_secret_and_the_database_password_come_from_their_files(config, tmp_path):
    cookie, password = tmp_path / "cookie", tmp_path / "db-password"
    cookie.write_text("ab" * 32)
    password.write_text("pw")
    configure(
        config,
        _settings(
            {
                "JUPYTERHUB_COOKIE_SECRET_FILE": str(cookie),
                "JUPYTERHUB_DB_URL": "postgresql+psycopg://hub@db/hub",
                "JUPYTERHUB_DB_PASSWORD_FILE": str(password),
                # No migrations here: no database answers at db.
                "JUPYTERHUB_ACTIVITYMON_DB_URL": f"sqlite:///{tmp_path / 'activity.sqlite'}",
            }
        ),
    )
    assert config.JupyterHub.cookie_secret_file == str(cookie)
    assert config.JupyterHub.db_url == "postgresql+psycopg://hub:pw@db/hub"
