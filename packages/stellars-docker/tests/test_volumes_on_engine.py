"""The volume layout on the real engine: files outlive the container that wrote them."""

from dockerspawner import DockerSpawner

from stellars_docker import DEFAULT_USER_VOLUMES, SharedVolume, volume_mounts


def _run(docker_run, image, mounts, command):
    container = docker_run.client.containers.run(
        image,
        ["bash", "-c", command],
        volumes={name: {"bind": path, "mode": "rw"} for name, path in mounts.items()},
        labels=docker_run.labels,
        detach=True,
    )
    status = container.wait(timeout=60)
    output = container.logs().decode()
    assert status["StatusCode"] == 0, output
    return output


def test_files_in_user_volumes_survive_a_new_container(docker_run, lab_image):
    # DockerSpawner's own escaping turns the username into the {username} of the templates.
    username = DockerSpawner._escape(f"vol.test-{docker_run.run_id}")
    shared = SharedVolume(f"stellars_test_shared_{docker_run.run_id}", "/mnt/shared")
    mounts = {
        template.format(username=username): path
        for template, path in volume_mounts(DEFAULT_USER_VOLUMES, shared).items()
    }
    for name in mounts:
        docker_run.client.volumes.create(name, labels=docker_run.labels)

    _run(docker_run, lab_image, mounts, "echo kept > ~/notes.txt && echo deep > ~/workspace/w.txt")
    output = _run(docker_run, lab_image, mounts, "cat ~/notes.txt ~/workspace/w.txt; id -un")
    assert output.split() == ["kept", "deep", "jovyan"]
