"""Users' lab containers and volumes on the real engine, as the Docker-layer tests see them."""

import uuid

from stellars_docker import container_name
from stellars_testing import wait_until


def run_username(docker_run, what):
    """Return a new username that starts with *what* and carries this run's id.

    Container and volume names come from usernames: the random part keeps
    tests that share a hub apart, the run's id keeps the run apart from any
    other on the same engine (and lets its cleanup find what it made).
    """
    return f"{what}-{uuid.uuid4().hex[:6]}-{docker_run.run_id}"


def lab_containers(docker_run, username):
    """Return *username*'s lab containers, running or not, as the engine's API lists them."""
    name = container_name("jupyterlab-{username}", username)
    return docker_run.client.api.containers(all=True, filters={"name": f"^{name}$"})


def spawn_and_stop(hub, docker_run, username):
    """Start *username*'s server, stop it, and wait until the engine has removed its container.

    Its volumes stay: that is what the callers test.
    """
    assert hub.api("POST", f"users/{username}/server").status_code in {201, 202}
    hub.wait_for_server(username, running=True)
    hub.api("DELETE", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=False)
    wait_until(
        lambda: not lab_containers(docker_run, username),
        timeout_s=60,
        what=f"{username}'s lab container removed",
    )


def in_volume(docker_run, lab_image, volume, command):
    """Return what the shell *command* prints, run as root with *volume* mounted at ``/v``.

    The container is the run's (labelled) and removed when the command ends.
    """
    output = docker_run.client.containers.run(
        lab_image,
        ["sh", "-c", command],
        volumes={volume: {"bind": "/v", "mode": "rw"}},
        user="root",
        entrypoint=[],
        labels=docker_run.labels,
        remove=True,
    )
    return output.decode().strip()
