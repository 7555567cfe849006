import contextlib

import docker.errors
import pytest
from accounts import user_token

from stellars_docker import DEFAULT_USER_VOLUMES, DockerSettings, container_name, volume_name

ADMIN_PASSWORD = "integration-admin-password"


@pytest.fixture(scope="session")
def admin_name(docker_run):
    # Container and volume names come from usernames: the run's id keeps them
    # apart from a deployment of the developer's on the same engine.
    return f"admin-{docker_run.run_id}"


@pytest.fixture(scope="session")
def admin_password():
    return ADMIN_PASSWORD


@pytest.fixture(scope="module")
def admin_token(hub, request):
    """Return an API token of the platform admin of the module's ``hub``.

    The admin is the module's ``ADMIN``, the name its hub's settings give
    ``JUPYTERHUB_ADMIN``; a module without one has no platform admin to act as.
    """
    return user_token(hub, request.module.ADMIN)


def _forget_the_admins_server(docker_run, admin_name):
    # Every hub here is a new installation with a new database, but the
    # admin's name is the run's: the volumes an earlier hub's admin made
    # belong to that account, and volume ownership rightly refuses them to
    # this one. A new installation starts with none of them; a restarted hub
    # (one on a database an earlier hub used) keeps its admin's server.
    client = docker_run.client
    with contextlib.suppress(docker.errors.NotFound):
        client.api.remove_container(
            container_name(DockerSettings(image="").name_template, admin_name), force=True
        )
    for volume in DEFAULT_USER_VOLUMES:
        with contextlib.suppress(docker.errors.NotFound):
            client.api.remove_volume(volume_name(volume, admin_name))


def _docker_platform(start_platform, docker_run, lab_image, docker_host_ip, admin_name):
    databases = set()  # the ones a hub of this fixture used: a hub on one again is a restart

    def start(settings=None, extra_config="", **options):
        database = options.get("db_url")
        if database is None or database not in databases:
            _forget_the_admins_server(docker_run, admin_name)
        databases.add(database)
        settings = {
            "JUPYTERHUB_ADMIN": admin_name,
            "JUPYTERHUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "JUPYTERHUB_NOTEBOOK_IMAGE": lab_image,
            # A shared volume of this run only, never the developer's own.
            "JUPYTERHUB_SHARED_VOLUME": f"stellars_test_shared_{docker_run.run_id}",
            # This engine has no GPU; the probe has its own tests.
            "JUPYTERHUB_GPU_ENABLED": "0",
            **(settings or {}),
        }
        labels = f"c.DockerSpawner.extra_create_kwargs['labels'].update({docker_run.labels!r})"
        return start_platform(
            settings, f"{labels}\n{extra_config}", hub_ip=docker_host_ip, **options
        )

    return start


@pytest.fixture
def docker_platform(platform_hub, docker_run, lab_image, docker_host_ip, admin_name):
    """Return ``start(settings=None, extra_config="", **options)``: the platform on the real engine.

    *settings* (environment variables) are added to the run's own;
    *extra_config* (Python) follows ``configure()`` in the config file.

    Everything it creates on the engine carries the run's label or id.
    """
    return _docker_platform(platform_hub, docker_run, lab_image, docker_host_ip, admin_name)


@pytest.fixture(scope="module")
def module_docker_platform(module_platform_hub, docker_run, lab_image, docker_host_ip, admin_name):
    """Like ``docker_platform``, for a hub that every test of a module shares."""
    return _docker_platform(module_platform_hub, docker_run, lab_image, docker_host_ip, admin_name)


@pytest.fixture(scope="module")
def shared_docker_platform(module_docker_platform):
    """The platform on the real engine, one hub for all the tests of a module.

    Tests that share it must use users of their own.
    """
    return module_docker_platform()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)]
)
def release_db_url(request, tmp_path_factory):
    """An empty database for an upgrade test: a SQLite file, or a new one on the real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('upgrade') / 'jupyterhub.sqlite'}"
    return request.getfixturevalue("postgres_server").create_database()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "jupyterhub_pages: a browser test of a page that JupyterHub's own templates or "
        "scripts shape, so it runs on every supported JupyterHub (noxfile.py)",
    )
