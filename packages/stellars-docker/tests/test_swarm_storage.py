"""Volumes on storage every swarm node shares: the options, and directories on a real disk."""

import asyncio
import time
from pathlib import Path

import pytest

from stellars_docker.errors import StorageUnavailableError
from stellars_docker.swarm.storage import (
    SharedStorage,
    call_storage,
    delete_tree,
    directory_sizes,
    make_directory,
    option_problems,
    set_aside,
    volume_directories,
    volume_driver_options,
)

BIND = {"type": "none", "o": "bind", "device": "/mnt/stellars/{volume}"}
NFS = {"type": "nfs", "o": "addr=nfs.example.org,nfsvers=4,rw", "device": ":/export/{volume}"}


@pytest.mark.parametrize("options", [BIND, NFS], ids=["bind", "nfs"])
def test_the_local_drivers_bind_and_nfs_options_are_accepted(options):
    assert option_problems(options) == []


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({**BIND, "size": "10G"}, "unknown option 'size'"),
        ({**BIND, "o": 1}, "option 'o' must be a string"),
        ({"type": "none", "o": "bind"}, "must end with /{volume}"),
        ({**BIND, "device": "/mnt/stellars"}, "must end with /{volume}"),
        ({**BIND, "device": "/mnt/{volume}-x"}, "must end with /{volume}"),
        ({**BIND, "device": "/mnt/{volume}/{volume}"}, "{volume} once"),
    ],
    ids=["unknown", "not-text", "no-device", "one-directory-for-all", "suffixed", "twice"],
)
def test_options_that_would_not_give_each_volume_its_own_directory_are_refused(options, problem):
    assert any(problem in found for found in option_problems(options)), option_problems(options)


def test_each_volumes_options_name_its_own_directory():
    assert volume_driver_options(NFS, "jupyterlab-ada_home") == {
        **NFS,
        "device": ":/export/jupyterlab-ada_home",
    }


@pytest.mark.parametrize("name", ["../etc", "a/b", ".hidden", "", "x\n"])
def test_a_name_that_is_no_volumes_never_becomes_a_path(name, tmp_path):
    storage = SharedStorage(BIND, tmp_path)
    with pytest.raises(ValueError, match="not a volume's name"):
        storage.directory(name)
    with pytest.raises(ValueError, match="not a volume's name"):
        volume_driver_options(BIND, name)


def test_the_storage_needs_an_absolute_root_and_usable_options():
    with pytest.raises(ValueError, match="absolute path") as raised:
        SharedStorage({"type": "none"}, Path("relative"))
    assert "must end with /{volume}" in str(raised.value)


def test_a_directory_is_made_once_and_never_where_the_root_is_missing(tmp_path):
    path = SharedStorage(BIND, tmp_path).directory("jupyterlab-ada_home")
    assert make_directory(path) is True
    assert make_directory(path) is False
    assert path.is_dir()
    with pytest.raises(FileNotFoundError, match="not mounted"):
        make_directory(tmp_path / "absent-root" / "jupyterlab-ada_home")


def test_a_link_where_a_directory_belongs_is_not_taken_for_it(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "jupyterlab-ada_home").symlink_to(elsewhere)
    with pytest.raises(FileExistsError):
        make_directory(tmp_path / "jupyterlab-ada_home")
    assert set_aside(tmp_path / "jupyterlab-ada_home") is None
    assert volume_directories(tmp_path) == ["elsewhere"]


def test_a_removed_directory_goes_at_once_and_its_links_outside_are_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("not the user's")
    volume = tmp_path / "jupyterlab-ada_home"
    (volume / "sub").mkdir(parents=True)
    (volume / "sub" / "file.txt").write_text("the user's")
    (volume / "link").symlink_to(outside)
    (volume / "sub" / "dirlink").symlink_to(tmp_path)

    aside = set_aside(volume)

    assert aside is not None
    assert not volume.exists()
    assert volume_directories(tmp_path) == []
    delete_tree(aside)
    assert not aside.exists()
    assert outside.read_text() == "not the user's"
    assert set_aside(volume) is None


def test_only_volume_directories_are_listed(tmp_path):
    for name in ("jupyterlab-ada_home", "jupyterhub_shared", ".stellars-removing-x-1"):
        (tmp_path / name).mkdir()
    (tmp_path / "a-file").write_text("")
    assert volume_directories(tmp_path) == ["jupyterhub_shared", "jupyterlab-ada_home"]


def test_du_gives_each_directorys_bytes_and_leaves_out_one_that_is_gone(tmp_path):
    ada, bob = tmp_path / "ada", tmp_path / "bob"
    (ada / "deep").mkdir(parents=True)
    bob.mkdir()
    (ada / "deep" / "data").write_bytes(b"x" * 100_000)
    (bob / "data").write_bytes(b"y" * 5_000)
    sizes = asyncio.run(directory_sizes([ada, bob, tmp_path / "gone"], timeout_s=30))
    assert set(sizes) == {ada, bob}
    assert sizes[ada] >= 100_000
    assert 5_000 <= sizes[bob] < 100_000


def test_du_past_its_deadline_is_stopped_and_reported(tmp_path):
    with pytest.raises(StorageUnavailableError, match="longer than"):
        asyncio.run(directory_sizes([tmp_path], timeout_s=0))


def test_storage_that_hangs_or_fails_is_reported_not_waited_for(tmp_path):
    async def hanging() -> float:
        started = time.monotonic()
        with pytest.raises(StorageUnavailableError, match="did not answer within"):
            await call_storage(0.1, time.sleep, 1)
        return time.monotonic() - started

    assert asyncio.run(hanging()) < 0.9
    with pytest.raises(StorageUnavailableError, match="not mounted"):
        asyncio.run(call_storage(5, make_directory, tmp_path / "absent" / "volume"))
