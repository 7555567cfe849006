"""How configure() wires the Docker side into a real hub: sizes, groups, GPU flags."""

import time

from stellars_docker import BUILTIN_GROUPS, DEFAULT_USER_VOLUMES
from stellars_docker.naming import container_name, volume_name
from stellars_testing import HubSession
from stellars_testing.hub import stop_hub

SIZE_TIMEOUT_S = 30


def test_volume_sizes_are_known_soon_after_start_without_a_page_view(
    docker_platform, docker_run, lab_image
):
    username = f"sized-{docker_run.run_id}"
    home = volume_name(DEFAULT_USER_VOLUMES[0], username)
    # A volume with 3 MB in it exists before the hub starts.
    docker_run.client.volumes.create(home, labels=docker_run.labels)
    docker_run.client.containers.run(
        lab_image,
        ["bash", "-c", "head -c 3000000 /dev/urandom > /home/jovyan/blob"],
        volumes={home: {"bind": "/home/jovyan", "mode": "rw"}},
        labels=docker_run.labels,
        remove=True,
    )
    hub = docker_platform()
    hub.create_user(username)

    deadline = time.monotonic() + SIZE_TIMEOUT_S
    while True:
        volumes = hub.api("GET", f"users/{username}/manage-volumes").json()["volumes"]
        if volumes and volumes[0]["size_bytes"] is not None:
            break
        if time.monotonic() > deadline:
            engine_lines = [
                line
                for line in hub.log_since_start().splitlines()
                if "volume sizes" in line or "Docker engine" in line
            ]
            raise AssertionError(
                f"no size after {SIZE_TIMEOUT_S}s: {volumes}\n" + "\n".join(engine_lines)
            )
        time.sleep(0.5)
    assert volumes[0]["name"] == home
    assert volumes[0]["size_bytes"] >= 3_000_000


def test_the_access_groups_are_created_at_start_and_again_after_a_delete(docker_platform, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'groups.sqlite'}"
    hub = docker_platform(db_url=db_url)
    groups = {group["name"] for group in hub.api("GET", "groups").json()}
    assert set(BUILTIN_GROUPS) <= groups

    hub.api("DELETE", "groups/docker-sock").raise_for_status()
    stop_hub(hub)
    restarted = docker_platform(db_url=db_url)
    groups = {group["name"] for group in restarted.api("GET", "groups").json()}
    assert set(BUILTIN_GROUPS) <= groups


def test_spawned_containers_carry_the_gpu_flags_the_lab_image_reads(docker_platform, docker_run):
    hub = docker_platform(  # GPUs off: this engine has none
        {
            "JUPYTERHUB_CPU_LIMIT": "0.5",
            "JUPYTERHUB_MEM_LIMIT": "768M",
            "JUPYTERHUB_SERVICE_TENSORBOARD": "0",
        }
    )
    username = f"gpuflags-{docker_run.run_id}"
    hub.create_user(username)
    hub.api("POST", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=True)
    container = docker_run.client.containers.get(container_name("jupyterlab-{username}", username))
    environment = container.attrs["Config"]["Env"]
    for flag in ("ENABLE_GPU_SUPPORT=0", "ENABLE_GPUSTAT=0", "NVIDIA_DETECTED=0"):
        assert flag in environment
    assert not container.attrs["HostConfig"].get("DeviceRequests")
    assert container.labels["org.stellars-hub.role"] == "lab"
    # The lab image's service toggles, and the limits the engine enforces.
    for toggle in (
        "JUPYTERHUB_SERVICE_MLFLOW=1",
        "JUPYTERHUB_SERVICE_RESOURCES_MONITOR=1",
        "JUPYTERHUB_SERVICE_TENSORBOARD=0",
    ):
        assert toggle in environment
    host = container.attrs["HostConfig"]
    assert host["NanoCpus"] == 500_000_000 or host["CpuQuota"] == host["CpuPeriod"] // 2
    assert host["Memory"] == 768 * 1024 * 1024
    # The spawner removes the container when the server stops, not the engine.
    assert host["AutoRemove"] is False
    hub.api("DELETE", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=False)
    assert not docker_run.client.containers.list(all=True, filters={"id": container.id})


def test_the_settings_page_tells_gpus_turned_off_from_none_found(
    docker_platform, admin_name, admin_password
):
    # This engine has no NVIDIA runtime: auto-detection runs and finds nothing.
    for mode, state in (("0", "off"), ("2", "none-found")):
        hub = docker_platform({"JUPYTERHUB_GPU_ENABLED": mode})
        admin = HubSession(hub)
        admin.log_in(admin_name, admin_password)
        page = admin.get(hub.hub_url("settings"), timeout=hub.api_timeout)
        assert page.status_code == 200
        assert f'data-gpu-state="{state}"' in page.text, mode
        stop_hub(hub)
