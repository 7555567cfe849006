from stellars_docker import DEFAULT_USER_VOLUMES, ContainerStats, DockerSettings, usage_by_user

SETTINGS = DockerSettings(image="lab:latest")


def stats(name, memory=256, limit=1024):
    return ContainerStats(name, 12.5, memory, limit, sampled_at=None)


def test_a_user_gets_their_own_container_and_existing_volumes_by_exact_name():
    sizes = {
        "jupyterlab-ada_home": 100,
        "jupyterlab-ada_cache": None,  # exists, not measured yet
        "jupyterlab-ada2_home": 999,  # another user whose name starts the same
        "jupyterlab-ada_home_backup": 5,
    }
    containers = {"jupyterlab-ada": stats("jupyterlab-ada"), "jupyterlab-ada2": stats("x")}
    usage = usage_by_user(["ada", "bob"], SETTINGS, containers, sizes)

    ada = usage["ada"]
    assert ada.stats == containers["jupyterlab-ada"]
    assert [(v.suffix, v.size_bytes) for v in ada.volumes] == [("home", 100), ("cache", None)]
    assert ada.volumes_total_bytes == 100
    assert ada.memory_percent == 25.0

    bob = usage["bob"]
    assert bob.stats is None
    assert bob.volumes == ()
    assert bob.volumes_total_bytes is None
    assert bob.memory_percent is None


def test_names_are_escaped_as_dockerspawner_escapes_them():
    home = DEFAULT_USER_VOLUMES[0]
    usage = usage_by_user(["a.b"], SETTINGS, {}, {"jupyterlab-a-2eb_home": 1})
    assert [(v.suffix, v.name) for v in usage["a.b"].volumes] == [
        (home.suffix, "jupyterlab-a-2eb_home")
    ]


def test_no_memory_percent_without_a_limit():
    usage = usage_by_user(["ada"], SETTINGS, {"jupyterlab-ada": stats("c", limit=0)}, {})
    assert usage["ada"].memory_percent is None
