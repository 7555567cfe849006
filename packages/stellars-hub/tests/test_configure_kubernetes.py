"""``JUPYTERHUB_SPAWNER=kubernetes``: a valid configuration with nothing of Docker imported.

Where it runs: every test here runs in the ``kubernetes`` nox session, which
installs the platform without its Docker extra (no stellars-docker, docker or
dockerspawner, and no stellars-testing, which needs docker). The tests marked
``without_docker`` prove that environment, so they run only there (see
conftest.py); the others hold wherever the platform is installed, so the
package's own sessions and the hub image's build run them too.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap

import pytest
from traitlets.config import Config

from stellars_auth import StellarsNativeAuthenticator
from stellars_hub import SettingsError, configure, load_settings

DOCKER_PACKAGES = ("docker", "dockerspawner", "stellars_docker")
KUBERNETES = {
    "JUPYTERHUB_SPAWNER": "kubernetes",
    # SSL on would write a certificate into the working folder.
    "JUPYTERHUB_SSL_ENABLED": "0",
    "JUPYTERHUB_IDLE_CULLER_ENABLED": "1",
    "JUPYTERHUB_ACTIVITYMON_SAMPLER": "service",
}
# What the pages and the API need without Docker, by path (relative to /hub).
WITHOUT_DOCKER_ROUTES = {
    "/api/activity": "ActivityHandler",
    "/api/activity/reset": "ActivityResetHandler",
    "/api/activity/sample": "ActivitySampleHandler",
    "/api/admin/credentials": "CredentialsHandler",
    "/api/notifications/broadcast": "BroadcastHandler",
    "/api/notifications/history": "BroadcastHistoryHandler",
    "/api/users/(?P<user_name>[^/]+)/session-info": "SessionInfoHandler",
    "/api/users/(?P<user_name>[^/]+)/extend-session": "ExtendSessionHandler",
    "/activity": "ActivityPageHandler",
    "/notifications": "NotificationsPageHandler",
    "/settings": "SettingsPageHandler",
}
# Every route the Docker side adds: none may be registered.
DOCKER_ROUTE_PARTS = (
    "manage-volumes",
    "volume-sizes",
    "restart-server",
    "server-stats",
    "quota",
    "effective-policy",
    "/account",
    "archived-volumes",
    "docker-grants",
    "group-policies",
    "/groups",
)

# Run in an interpreter of its own: this process may have imported Docker
# packages already (other tests, the test plugin).
IMPORTS_AFTER_CONFIGURE = textwrap.dedent(
    """
    import json, sys
    from traitlets.config import Config
    from stellars_hub import configure, load_settings

    configure(Config(), load_settings(json.loads(sys.argv[1])))
    roots = {name.split(".")[0] for name in sys.modules}
    print(json.dumps(sorted(root for root in roots if root.startswith(("docker", "stellars_d")))))
    """
)

IMPORTS_OF_MODULE = textwrap.dedent(
    """
    import importlib, json, sys

    importlib.import_module(sys.argv[1])
    roots = {name.split(".")[0] for name in sys.modules}
    print(json.dumps(sorted(root for root in roots if root.startswith(("docker", "stellars_d")))))
    """
)


def _configured(**preset: object) -> Config:
    config = Config()
    for trait, value in preset.items():
        setattr(config.JupyterHub, trait, value)
    configure(config, load_settings(KUBERNETES))
    return config


def test_kubernetes_runs_kubespawner_as_the_operator_configures_it():
    assert _configured().JupyterHub.spawner_class == "kubespawner.KubeSpawner"


def test_a_spawner_class_the_config_file_set_stays():
    # zero-to-jupyterhub's own config sets KubeSpawner before extraConfig runs.
    config = _configured(spawner_class="my.KubeSpawnerSubclass")
    assert config.JupyterHub.spawner_class == "my.KubeSpawnerSubclass"


def test_kubernetes_registers_the_parts_that_need_no_docker():
    config = _configured()
    assert config.JupyterHub.authenticator_class is StellarsNativeAuthenticator
    routes = {route[0]: route[1].__name__ for route in config.JupyterHub.extra_handlers}
    assert {path: routes.get(path) for path in WITHOUT_DOCKER_ROUTES} == WITHOUT_DOCKER_ROUTES
    services = {service["name"] for service in config.JupyterHub.services}
    assert services == {"activity-sampler", "idle-culler", "stellars-notifications"}


def test_kubernetes_registers_no_docker_route():
    paths = [route[0] for route in _configured().JupyterHub.extra_handlers]
    assert [path for path in paths if any(part in path for part in DOCKER_ROUTE_PARTS)] == []


def test_the_openapi_document_lists_only_the_registered_routes():
    config = _configured()
    (document,) = [
        route[2]["document"]
        for route in config.JupyterHub.extra_handlers
        if route[1].__name__ == "OpenAPIHandler"
    ]
    documented = list(document["paths"])
    assert "/api/activity" in documented
    assert [path for path in documented if any(p in path for p in DOCKER_ROUTE_PARTS)] == []


def test_the_pages_are_told_there_is_no_docker():
    config = _configured()
    assert config.JupyterHub.template_vars["stellars_docker"] is False


def test_configure_for_kubernetes_imports_nothing_of_docker():
    result = subprocess.run(
        [sys.executable, "-c", IMPORTS_AFTER_CONFIGURE, json.dumps(KUBERNETES)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_the_managed_services_run_modules_that_need_nothing_of_docker():
    services = _configured().JupyterHub.services
    modules = [
        service["command"][service["command"].index("-m") + 1]
        for service in services
        if "command" in service
    ]
    assert sorted(modules) == ["jupyterhub_idle_culler", "stellars_activity.service"]
    for module in modules:
        result = subprocess.run(
            [sys.executable, "-c", IMPORTS_OF_MODULE, module],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        assert json.loads(result.stdout.splitlines()[-1]) == [], module


@pytest.mark.without_docker
def test_no_docker_package_is_installed_here():
    assert {name: importlib.util.find_spec(name) for name in DOCKER_PACKAGES} == dict.fromkeys(
        DOCKER_PACKAGES
    )


@pytest.mark.without_docker
def test_configure_leaves_no_docker_module_imported():
    _configured()
    imported = [name for name in sys.modules if name.startswith(("docker", "stellars_docker"))]
    assert imported == []


@pytest.mark.without_docker
@pytest.mark.parametrize("spawner", ["docker", "swarm", "local"])
def test_a_docker_spawner_without_the_extra_says_to_install_it(spawner):
    environ = {**KUBERNETES, "JUPYTERHUB_SPAWNER": spawner, "JUPYTERHUB_NETWORK_NAME": "labs"}
    with pytest.raises(SettingsError) as raised:
        configure(Config(), load_settings(environ))
    (problem,) = raised.value.problems
    assert problem.variable == "JUPYTERHUB_SPAWNER"
    assert 'pip install "stellars-hub[docker]"' in str(raised.value)
