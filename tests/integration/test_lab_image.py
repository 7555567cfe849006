"""The lab image built locally from deploy/lab: what every user's container runs."""

import json

import pytest


@pytest.fixture
def run_in_lab(docker_run, lab_image):
    def run(*command):
        output = docker_run.client.containers.run(
            lab_image, list(command), labels=docker_run.labels, remove=True, stderr=True
        )
        return output.decode()

    return run


def test_the_image_carries_jupyterlab_4_and_the_notifications_extension(run_in_lab):
    versions = json.loads(
        run_in_lab(
            "python",
            "-c",
            "import json, jupyterlab, jupyterhub; "
            "print(json.dumps([jupyterlab.__version__, jupyterhub.__version__]))",
        )
    )
    assert versions[0].startswith("4.")
    assert int(versions[1].split(".")[0]) in {5, 6}
    extensions = run_in_lab("jupyter", "labextension", "list")
    assert "jupyterlab_notifications_extension" in extensions
    assert "enabled" in extensions


def test_the_lab_runs_as_jovyan_who_owns_every_mount_point(run_in_lab):
    output = run_in_lab("bash", "-c", "id -un; stat -c %U ~ ~/workspace ~/.cache /mnt/shared")
    assert output.split() == ["jovyan"] * 5


def test_the_build_hosts_ca_bundle_is_not_left_in_the_image(run_in_lab):
    assert run_in_lab("bash", "-c", "ls /tmp; env").count("build-ca") == 0


def test_the_image_has_none_of_the_lab_tools_the_settings_page_says_it_lacks(run_in_lab):
    # The settings page and docs/settings.md say the demo image provides no
    # MLflow, TensorBoard or resources monitor: this keeps that true, so a
    # switch of JUPYTERHUB_SERVICE_* is never promised to do something here.
    found = run_in_lab(
        "python",
        "-c",
        "import importlib.util as u; "
        "print([m for m in ('mlflow', 'tensorboard', 'jupyter_resource_usage') if u.find_spec(m)])",
    )
    assert found.strip() == "[]"
    assert run_in_lab("bash", "-c", "command -v mlflow tensorboard || true").strip() == ""
