"""An original-style jupyterhub_config.py runs unchanged on Stellars Hub: real hub, proxy, engine.

The config below is written as the original Stellars JupyterHub deployment's
was: it reads the environment at the top, defines the volumes and the
built-in groups, calls every function of the original ``stellars_hub`` API,
registers the thirteen routes itself and passes ``stellars_config`` (with
idle times of its own, which the handlers then use). Only
what a test must change differs from a production file: the image, no
network of its own (the harness gives the hub an address on the default
bridge), and the test run's labels on the containers.
"""

import textwrap

import pytest
import requests
from branding_images import digest, write_images
from dockerspawner import DockerSpawner
from group_policies import group_with_members, store_policy

from stellars_testing import HubSession, wait_until

ADMIN_PASSWORD = "original-style-admin-passphrase"


ORIGINAL_CONFIG = """
import os

from stellars_hub import (
    StellarsNativeAuthenticator,
    get_services_and_roles,
    get_user_volume_suffixes,
    make_pre_spawn_hook,
    register_events,
    resolve_gpu_mode,
    schedule_startup_favicon_callback,
    setup_branding,
)
from stellars_hub.groups import ensure_groups
from stellars_hub.handlers import (
    ActivityDataHandler,
    ActivityPageHandler,
    ActivityResetHandler,
    ActivitySampleHandler,
    ActiveServersHandler,
    BroadcastNotificationHandler,
    ExtendSessionHandler,
    GetUserCredentialsHandler,
    ManageVolumesHandler,
    NotificationsPageHandler,
    RestartServerHandler,
    SessionInfoHandler,
    SettingsPageHandler,
)

# -- Section 1: environment variables
JUPYTERHUB_GPU_ENABLED = int(os.environ.get("JUPYTERHUB_GPU_ENABLED", 2))
JUPYTERHUB_SIGNUP_ENABLED = int(os.environ.get("JUPYTERHUB_SIGNUP_ENABLED", 1))
JUPYTERHUB_IDLE_CULLER_ENABLED = int(os.environ.get("JUPYTERHUB_IDLE_CULLER_ENABLED", 0))
JUPYTERHUB_IDLE_CULLER_TIMEOUT = int(os.environ.get("JUPYTERHUB_IDLE_CULLER_TIMEOUT", 5400))
JUPYTERHUB_IDLE_CULLER_INTERVAL = int(os.environ.get("JUPYTERHUB_IDLE_CULLER_INTERVAL", 600))
JUPYTERHUB_IDLE_CULLER_MAX_AGE = int(os.environ.get("JUPYTERHUB_IDLE_CULLER_MAX_AGE", 0))
JUPYTERHUB_IDLE_CULLER_MAX_EXTENSION = int(
    os.environ.get("JUPYTERHUB_IDLE_CULLER_MAX_EXTENSION", 3)
)
ACTIVITYMON_SAMPLE_INTERVAL = int(os.environ.get("JUPYTERHUB_ACTIVITYMON_SAMPLE_INTERVAL", 600))
JUPYTERHUB_NOTEBOOK_IMAGE = os.environ.get(
    "JUPYTERHUB_NOTEBOOK_IMAGE", "stellars/stellars-jupyterlab-ds:latest"
)
JUPYTERHUB_NVIDIA_IMAGE = os.environ.get(
    "JUPYTERHUB_NVIDIA_IMAGE", "nvidia/cuda:13.0.2-base-ubuntu24.04"
)
JUPYTERHUB_ADMIN = os.environ.get("JUPYTERHUB_ADMIN")
JUPYTERHUB_LOGO_URI = os.environ.get("JUPYTERHUB_LOGO_URI", "")
JUPYTERHUB_FAVICON_URI = os.environ.get("JUPYTERHUB_FAVICON_URI", "")
JUPYTERHUB_LAB_MAIN_ICON_URI = os.environ.get("JUPYTERHUB_LAB_MAIN_ICON_URI", "")
JUPYTERHUB_LAB_SPLASH_ICON_URI = os.environ.get("JUPYTERHUB_LAB_SPLASH_ICON_URI", "")

# -- Section 2: data
# As the original deployment mounted them: the whole of /home, not the user's folder.
DOCKER_SPAWNER_VOLUMES = {
    "jupyterlab-{username}_home": "/home",
    "jupyterlab-{username}_workspace": "/home/jovyan/workspace",
    "jupyterlab-{username}_cache": "/home/jovyan/.cache",
    SHARED_VOLUME: "/mnt/shared",
}
VOLUME_DESCRIPTIONS = {
    "home": "User home directory files, configurations",
    "workspace": "Project files, notebooks, data",
    "cache": "Temporary files, pip and conda caches",
}
BUILTIN_GROUPS = ["docker-sock", "docker-privileged"]
user_volume_suffixes = get_user_volume_suffixes(DOCKER_SPAWNER_VOLUMES)

# -- Section 3: logic
register_events()
gpu_enabled, nvidia_detected = resolve_gpu_mode(JUPYTERHUB_GPU_ENABLED, JUPYTERHUB_NVIDIA_IMAGE)
branding = setup_branding(
    logo_uri=JUPYTERHUB_LOGO_URI,
    favicon_uri=JUPYTERHUB_FAVICON_URI,
    lab_main_icon_uri=JUPYTERHUB_LAB_MAIN_ICON_URI,
    lab_splash_icon_uri=JUPYTERHUB_LAB_SPLASH_ICON_URI,
)
ensure_groups(BUILTIN_GROUPS, db_url=DB_URL)

# -- Section 4: JupyterHub
c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
c.DockerSpawner.environment = {
    "ENABLE_GPU_SUPPORT": gpu_enabled,
    "NVIDIA_DETECTED": nvidia_detected,
}
c.DockerSpawner.image = JUPYTERHUB_NOTEBOOK_IMAGE
c.DockerSpawner.name_template = "jupyterlab-{username}"
c.DockerSpawner.volumes = DOCKER_SPAWNER_VOLUMES
c.DockerSpawner.remove = True
c.DockerSpawner.pull_policy = "never"
c.DockerSpawner.extra_create_kwargs = {"labels": RUN_LABELS}
if branding["logo_file"]:
    c.JupyterHub.logo_file = branding["logo_file"]
c.JupyterHub.tornado_settings = {
    "stellars_config": {
        "user_volume_suffixes": user_volume_suffixes,
        "volume_descriptions": VOLUME_DESCRIPTIONS,
        "idle_culler_enabled": JUPYTERHUB_IDLE_CULLER_ENABLED,
        "idle_culler_timeout": JUPYTERHUB_IDLE_CULLER_TIMEOUT,
        "idle_culler_max_extension": JUPYTERHUB_IDLE_CULLER_MAX_EXTENSION,
    }
}
c.DockerSpawner.pre_spawn_hook = make_pre_spawn_hook(
    branding, builtin_groups=BUILTIN_GROUPS, favicon_uri=JUPYTERHUB_FAVICON_URI
)
c.JupyterHub.authenticator_class = StellarsNativeAuthenticator
c.NativeAuthenticator.open_signup = False
c.NativeAuthenticator.enable_signup = bool(JUPYTERHUB_SIGNUP_ENABLED)
c.Authenticator.allow_all = True
c.Authenticator.admin_users = [JUPYTERHUB_ADMIN]
c.StellarsNativeAuthenticator.initial_admin_password = ADMIN_PASSWORD
c.JupyterHub.extra_handlers = [
    (r"/api/users/([^/]+)/manage-volumes", ManageVolumesHandler),
    (r"/api/users/([^/]+)/restart-server", RestartServerHandler),
    (r"/api/users/([^/]+)/session-info", SessionInfoHandler),
    (r"/api/users/([^/]+)/extend-session", ExtendSessionHandler),
    (r"/api/notifications/active-servers", ActiveServersHandler),
    (r"/api/notifications/broadcast", BroadcastNotificationHandler),
    (r"/api/admin/credentials", GetUserCredentialsHandler),
    (r"/api/activity", ActivityDataHandler),
    (r"/api/activity/reset", ActivityResetHandler),
    (r"/api/activity/sample", ActivitySampleHandler),
    (r"/notifications", NotificationsPageHandler),
    (r"/settings", SettingsPageHandler),
    (r"/activity", ActivityPageHandler),
]

# -- Section 5: services and start-up
services, roles = get_services_and_roles(
    culler_enabled=JUPYTERHUB_IDLE_CULLER_ENABLED,
    culler_timeout=JUPYTERHUB_IDLE_CULLER_TIMEOUT,
    culler_interval=JUPYTERHUB_IDLE_CULLER_INTERVAL,
    culler_max_age=JUPYTERHUB_IDLE_CULLER_MAX_AGE,
    sample_interval=ACTIVITYMON_SAMPLE_INTERVAL,
)
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles
schedule_startup_favicon_callback(favicon_uri=JUPYTERHUB_FAVICON_URI)
"""


@pytest.fixture(scope="module")
def branding_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("original-branding")


@pytest.fixture(scope="module")
def images(branding_folder):
    return write_images(branding_folder)


@pytest.fixture(scope="module")
def hub(
    module_hub_factory,
    docker_run,
    lab_image,
    docker_host_ip,
    tmp_path_factory,
    images,  # written before the hub reads them
    branding_folder,
):
    db_url = f"sqlite:///{tmp_path_factory.mktemp('original') / 'jupyterhub.sqlite'}"
    branding = branding_folder
    preamble = textwrap.dedent(f"""
        SHARED_VOLUME = {f"stellars_test_shared_{docker_run.run_id}"!r}
        RUN_LABELS = {docker_run.labels!r}
        ADMIN_PASSWORD = {ADMIN_PASSWORD!r}
        DB_URL = {db_url!r}
    """)
    environ = {
        "JUPYTERHUB_ADMIN": f"admin-{docker_run.run_id}",
        "JUPYTERHUB_NOTEBOOK_IMAGE": lab_image,
        "JUPYTERHUB_GPU_ENABLED": "0",
        "JUPYTERHUB_IDLE_CULLER_ENABLED": "1",
        # Two seconds, so that the sampler's ticks show within a test.
        "JUPYTERHUB_ACTIVITYMON_SAMPLE_INTERVAL": "2",
        "JUPYTERHUB_LOGO_URI": (branding / "logo.png").as_uri(),
        "JUPYTERHUB_FAVICON_URI": (branding / "favicon.png").as_uri(),
    }
    # A configured limit: the default policy of users in no group with a policy keeps it.
    limits = "c.DockerSpawner.cpu_limit = 1.5\n"
    return module_hub_factory(
        preamble + ORIGINAL_CONFIG + limits, hub_ip=docker_host_ip, db_url=db_url, env=environ
    )


@pytest.fixture(scope="module")
def admin(hub, docker_run):
    name = f"admin-{docker_run.run_id}"
    token = hub.api("POST", f"users/{name}/tokens", json={}).json()["token"]
    return name, token


def _json(response, status):
    assert response.status_code == status, (response.status_code, response.text[:300])
    return response.json()


def test_every_original_route_answers_as_the_platforms(hub, admin, docker_run):
    name, token = admin
    user = f"orig-{docker_run.run_id}"
    hub.create_user(user)

    info = _json(hub.api("GET", f"users/{user}/session-info", token=token), 200)
    # The file's own defaults, which reach the handlers only through stellars_config.
    assert (info["culler_enabled"], info["timeout_seconds"]) == (True, 5400)
    assert info["max_extension_seconds"] == 3 * 3600
    refused = _json(
        hub.api("POST", f"users/{user}/extend-session", token=token, json={"hours": 1}), 409
    )
    assert set(refused) == {"status", "message"}
    _json(hub.api("POST", f"users/{user}/restart-server", token=token), 409)
    volumes = _json(hub.api("GET", f"users/{user}/manage-volumes", token=token), 200)
    assert volumes == {"volumes": []}  # never started: no volume yet
    _json(
        hub.api("DELETE", f"users/{user}/manage-volumes", token=token, json={"volumes": ["cache"]}),
        404,
    )
    assert "servers" in _json(hub.api("GET", "notifications/active-servers", token=token), 200)
    _json(hub.api("POST", "notifications/broadcast", token=token, json={"message": "hello"}), 409)
    # The passphrase generated for the user the admin created, readable once (the original's
    # could be read again and again).
    read = {"usernames": [user]}
    first = _json(hub.api("POST", "admin/credentials", token=token, json=read), 200)
    assert [entry["username"] for entry in first["credentials"]] == [user]
    again = _json(hub.api("POST", "admin/credentials", token=token, json=read), 200)
    assert (again["credentials"], again["unavailable"]) == ([], [user])
    activity = _json(hub.api("GET", "activity", token=token), 200)
    assert {row["username"] for row in activity["users"]} >= {name, user}
    assert _json(hub.api("POST", "activity/sample", token=token), 200)["recorded"] >= 0
    assert _json(hub.api("POST", "activity/reset", token=token), 200) == {"reset": True}

    admin_session = HubSession(hub)
    admin_session.log_in(name, ADMIN_PASSWORD)
    for page in ("notifications", "settings", "activity"):
        response = admin_session.get(hub.hub_url(page), timeout=hub.api_timeout)
        assert response.status_code == 200, page
        assert "text/html" in response.headers["Content-Type"]

    # Without the platform's scopes a user gets the platform's JSON 403.
    user_token = hub.api("POST", f"users/{user}/tokens", json={}).json()["token"]
    assert set(_json(hub.api("GET", "notifications/active-servers", token=user_token), 403)) == {
        "status",
        "message",
    }


def test_the_services_and_groups_of_the_original_calls_are_in_place(hub, admin):
    _, token = admin
    services = {
        service["name"] for service in hub.api("GET", "services", token=token).json().values()
    }
    assert {"activity-sampler", "idle-culler"} <= services
    groups = {group["name"] for group in hub.api("GET", "groups", token=token).json()}
    assert {"docker-sock", "docker-privileged"} <= groups


def test_a_server_spawns_through_dockerspawner_with_the_original_volumes(hub, admin, docker_run):
    _, token = admin
    user = f"spawn-{docker_run.run_id}"
    hub.create_user(user)
    assert hub.api("POST", f"users/{user}/server", token=token).status_code in {201, 202}
    hub.wait_for_server(user, running=True)
    container = docker_run.client.containers.get(f"jupyterlab-{DockerSpawner._escape(user)}")
    mounted = {mount["Name"] for mount in container.attrs["Mounts"] if mount["Type"] == "volume"}
    escaped = DockerSpawner._escape(user)
    assert {
        f"jupyterlab-{escaped}_{suffix}" for suffix in ("home", "workspace", "cache")
    } <= mounted
    # The running server is the platform's to see and act on.
    info = _json(hub.api("GET", f"users/{user}/session-info", token=token), 200)
    assert info["remaining_seconds"] is not None
    extended = _json(
        hub.api("POST", f"users/{user}/extend-session", token=token, json={"hours": 1}), 200
    )
    assert extended["granted_hours"] == 1
    assert hub.api("DELETE", f"users/{user}/server", token=token).status_code in {202, 204}
    hub.wait_for_server(user, running=False)
    # Stopped: the user's volumes are listed, and one can be reset.
    volumes = _json(hub.api("GET", f"users/{user}/manage-volumes", token=token), 200)
    assert {volume["suffix"] for volume in volumes["volumes"]} == {"home", "workspace", "cache"}
    # The mount points and descriptions the file configured, not the platform's defaults.
    assert {
        volume["suffix"]: (volume["mount_point"], volume["description"])
        for volume in volumes["volumes"]
    } == {
        "home": ("/home", "User home directory files, configurations"),
        "workspace": ("/home/jovyan/workspace", "Project files, notebooks, data"),
        "cache": ("/home/jovyan/.cache", "Temporary files, pip and conda caches"),
    }
    # "Measure now" sizes the file's volumes, with the file's image.
    measured = _json(hub.api("POST", f"users/{user}/volume-sizes", token=token, json={}), 200)
    assert {volume["suffix"] for volume in measured["volumes"]} == {"home", "workspace", "cache"}
    assert all(volume["size_bytes"] is not None for volume in measured["volumes"])
    wait_until(
        lambda: (
            hub.api(
                "DELETE", f"users/{user}/manage-volumes", token=token, json={"volumes": ["cache"]}
            ).status_code
            == 200
        ),
        timeout_s=30,
        what="the cache volume deleted once the engine let go of the container",
    )


def test_the_original_hook_applies_the_group_policy(hub, docker_run):
    user = f"policy-{docker_run.run_id}"
    hub.create_user(user)
    group = f"original-team-{docker_run.run_id}"
    store_policy(hub.db_url, group, mem_limit="200M", environment=[{"name": "TEAM", "value": "x"}])
    group_with_members(hub, group, user)
    assert hub.api("POST", f"users/{user}/server").status_code in {201, 202}
    hub.wait_for_server(user, running=True)
    container = docker_run.client.containers.get(f"jupyterlab-{DockerSpawner._escape(user)}")
    assert container.attrs["HostConfig"]["Memory"] == 200 * 1024**2  # the group's
    assert container.attrs["HostConfig"]["CpuQuota"] == 150_000  # the configured 1.5 cores
    assert "TEAM=x" in container.attrs["Config"]["Env"]
    hub.api("DELETE", f"users/{user}/server").raise_for_status()
    hub.wait_for_server(user, running=False)


def test_the_activity_sampler_service_samples_at_the_configured_interval(hub, admin):
    _, token = admin

    def samples():
        rows = _json(hub.api("GET", "activity", token=token), 200)["users"]
        return max((row["samples"] for row in rows), default=0)

    before = samples()
    # A tick every two seconds: three more within half a minute, even on a busy machine.
    wait_until(lambda: samples() >= before + 3, timeout_s=30, what="three ticks of the sampler")


def test_the_original_branding_shows_on_the_hub_and_in_the_lab(hub, admin, images, docker_run):
    _, token = admin
    logo = requests.get(hub.hub_url("logo"), timeout=hub.api_timeout)  # c.JupyterHub.logo_file
    assert (logo.status_code, digest(logo.content)) == (200, digest(images["logo.png"]))
    user = f"brand-{docker_run.run_id}"
    hub.create_user(user)
    assert hub.api("POST", f"users/{user}/server", token=token).status_code in {201, 202}
    hub.wait_for_server(user, running=True)
    favicon = HubSession(hub).get(
        hub.user_url(user, "static/favicons/favicon-busy-1.ico"), timeout=hub.api_timeout
    )
    assert (favicon.status_code, digest(favicon.content)) == (200, digest(images["favicon.png"]))
    assert hub.api("DELETE", f"users/{user}/server", token=token).status_code in {202, 204}
    hub.wait_for_server(user, running=False)
