import pytest

ADMIN_PASSWORD = "integration-admin-password"


@pytest.fixture
def admin_name(docker_run):
    # Container and volume names come from usernames: the run's id keeps them
    # apart from a deployment of the developer's on the same engine.
    return f"admin-{docker_run.run_id}"


@pytest.fixture
def docker_platform(platform_hub, docker_run, lab_image, docker_host_ip, admin_name):
    """Return ``start(**options)``: the platform spawning into the real engine.

    Everything it creates on the engine carries the run's label or id.
    """

    def start(**options):
        settings = {
            "JUPYTERHUB_ADMIN": admin_name,
            "JUPYTERHUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "JUPYTERHUB_NOTEBOOK_IMAGE": lab_image,
            # A shared volume of this run only, never the developer's own.
            "JUPYTERHUB_SHARED_VOLUME": f"stellars_test_shared_{docker_run.run_id}",
        }
        labels = f"c.DockerSpawner.extra_create_kwargs['labels'].update({docker_run.labels!r})"
        return platform_hub(settings, labels, hub_ip=docker_host_ip, **options)

    return start


@pytest.fixture
def admin_password():
    return ADMIN_PASSWORD
