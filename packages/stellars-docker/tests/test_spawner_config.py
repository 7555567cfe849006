"""DockerSpawner traits from the settings: limits, the lab's environment, who removes it."""

from stellars_docker import DockerSettings, spawner_config
from stellars_docker.gpu import Gpu, GpuResolution

GPU = Gpu(index=0, name="NVIDIA H200", uuid="GPU-x", memory_mib=143771)


def test_limits_are_jupyterhubs_own_traits_and_absent_unless_set():
    limited = spawner_config(DockerSettings(image="lab", cpu_limit=0.5, mem_limit="512M"))
    assert (limited["cpu_limit"], limited["mem_limit"]) == (0.5, "512M")
    unlimited = spawner_config(DockerSettings(image="lab"))
    assert "cpu_limit" not in unlimited
    assert "mem_limit" not in unlimited


def test_the_labs_environment_joins_the_gpu_flags_which_win_a_clash():
    settings = DockerSettings(
        image="lab",
        environment={"JUPYTERHUB_SERVICE_MLFLOW": "1", "NVIDIA_DETECTED": "made up"},
    )
    config = spawner_config(settings, GpuResolution(enabled=True, detected=True, gpus=(GPU,)))
    assert config["environment"]["JUPYTERHUB_SERVICE_MLFLOW"] == "1"
    # What detection found is not the operator's to override by accident.
    assert config["environment"]["NVIDIA_DETECTED"] == "1"


def test_the_spawner_removes_stopped_containers_and_the_engine_never_does():
    for gpu in (None, GpuResolution(enabled=True, detected=True, gpus=(GPU,))):
        config = spawner_config(DockerSettings(image="lab"), gpu)
        assert config["remove"] is True
        # Not AutoRemove: the engine could remove a container it has just restarted.
        assert config["extra_host_config"]["auto_remove"] is False
