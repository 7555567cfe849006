"""Volumes on storage every swarm node shares: each volume a directory, reached by every node.

With ``JUPYTERHUB_SWARM_VOLUME_OPTIONS`` each volume a server mounts is a
volume of Docker's ``local`` driver whose options point at one directory of
a file system that every node mounts at the same place (an NFS export, or
any network file system): whichever node runs the server, the files are the
same, so no server is pinned to a node. ``{volume}`` in the options stands
for the volume's name; the ``device`` option must end with it, so that every
volume is its own directory under one parent.

The hub sees that parent under its own path, the *root*, and does there what
one engine does with its volumes: it creates a volume's directory before a
server first mounts it (the local driver does not create a missing device,
and the mount fails), sizes the directories, and removes them. Every call
that touches the file system is blocking and may hang on a network file
system: callers run them through :func:`call_storage`, in a thread with a
deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import secrets
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from stellars_docker.errors import StorageUnavailableError
from stellars_docker.measure import parse_du

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

LOCAL_DRIVER = "local"
VOLUME_PLACEHOLDER = "{volume}"
# The options Docker's local driver takes; it refuses any other at the mount.
LOCAL_DRIVER_OPTIONS = ("type", "o", "device")
DEVICE_OPTION = "device"
# A volume's name as the engine accepts one: never a path, never "." or "..".
_VOLUME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# A directory being removed is renamed first, to a name no volume can have
# (volume names start with a letter or digit).
_SET_ASIDE_PREFIX = ".stellars-removing-"
# Seconds a killed du may take to go (on a hung network file system it may not).
_KILLED_GRACE_S = 5.0


def option_problems(options: Mapping[str, object]) -> list[str]:
    """Return what is wrong with *options* as shared-storage volume options; empty when fine.

    The options are those of Docker's ``local`` driver, each a string; the
    ``device`` must end with ``/{volume}``, so that each volume has its own
    directory under one parent.
    """
    problems = []
    unknown = sorted(set(options) - set(LOCAL_DRIVER_OPTIONS))
    if unknown:
        problems.append(
            f"unknown option {', '.join(map(repr, unknown))}: Docker's local driver takes "
            f"{', '.join(LOCAL_DRIVER_OPTIONS)}"
        )
    not_text = sorted(name for name, value in options.items() if not isinstance(value, str))
    if not_text:
        problems.append(f"option {', '.join(map(repr, not_text))} must be a string")
    device = options.get(DEVICE_OPTION)
    if not isinstance(device, str) or not device.endswith(f"/{VOLUME_PLACEHOLDER}"):
        problems.append(
            f"the {DEVICE_OPTION!r} option must end with /{VOLUME_PLACEHOLDER} (each volume "
            "its own directory, as /mnt/stellars/{volume} or :/export/{volume})"
        )
    elif device.count(VOLUME_PLACEHOLDER) != 1:
        problems.append(f"the {DEVICE_OPTION!r} option must name {VOLUME_PLACEHOLDER} once")
    return problems


@dataclass(frozen=True)
class SharedStorage:
    """The local driver's options for every volume, and where the hub finds the directories.

    Attributes:
        options: the local driver's options, ``{volume}`` standing for the
            volume's name (see :func:`option_problems`).
        root: the absolute path under which the hub sees each volume's
            directory, ``root/<volume>``: the same directories the nodes
            mount through ``device``.

    Raises:
        ValueError: the options or the root are not usable.
    """

    options: Mapping[str, str]
    root: Path

    def __post_init__(self) -> None:
        problems = option_problems(self.options)
        if not self.root.is_absolute():
            problems.append(f"the root {str(self.root)!r} must be an absolute path")
        if problems:
            raise ValueError("; ".join(problems))

    def directory(self, volume: str) -> Path:
        """Return where the hub sees the files of the volume *volume*.

        Raises:
            ValueError: *volume* is not a volume's name.
        """
        _check_name(volume)
        return self.root / volume


def volume_driver_options(options: Mapping[str, str], volume: str) -> dict[str, str]:
    """Return the local driver's *options* for the volume *volume*: ``{volume}`` its name.

    Raises:
        ValueError: *volume* is not a volume's name.
    """
    _check_name(volume)
    return {name: value.replace(VOLUME_PLACEHOLDER, volume) for name, value in options.items()}


def _check_name(volume: str) -> None:
    if not _VOLUME_NAME.fullmatch(volume):
        raise ValueError(f"{volume!r} is not a volume's name")


async def call_storage(
    limit_s: float, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Return ``function(*args, **kwargs)`` run in a thread, within *limit_s*.

    A call past its deadline goes on in its thread (a file system call cannot
    be interrupted); the caller is told at the deadline.

    Raises:
        StorageUnavailableError: the call ran past *limit_s* or failed with
            an OSError (the root is missing, permission is denied).
    """
    call = functools.partial(function, *args, **kwargs)
    try:
        return await asyncio.wait_for(asyncio.to_thread(call), limit_s)
    except TimeoutError as error:
        raise StorageUnavailableError(
            f"the shared volume storage did not answer within {limit_s}s"
        ) from error
    except OSError as error:
        raise StorageUnavailableError(f"the shared volume storage failed: {error}") from error


def directory_exists(path: Path) -> bool:
    """Return whether *path* is a directory (a link to one is not: nobody made it so)."""
    return path.is_dir() and not path.is_symlink()


def make_directory(path: Path) -> bool:
    """Make the directory *path* unless it exists; return whether it was made.

    Its parent, the root, must exist: a root that is not there is storage
    that is not mounted, and a directory made in its place would hold files
    no node sees.
    """
    if not path.parent.is_dir():
        raise FileNotFoundError(f"the volume root {str(path.parent)!r} is not there (not mounted?)")
    try:
        path.mkdir()
    except FileExistsError:
        if not directory_exists(path):
            raise
        return False
    return True


def set_aside(path: Path) -> Path | None:
    """Rename the directory *path* to a name no volume has; return that, or None if not there.

    The volume is gone at once under its name: the next server of its
    account gets a new directory, however long the old files take to delete.
    """
    if not directory_exists(path):
        return None
    aside = path.with_name(f"{_SET_ASIDE_PREFIX}{path.name}-{secrets.token_hex(4)}")
    path.rename(aside)
    return aside


def delete_tree(path: Path) -> None:
    """Delete the directory *path* and everything in it.

    ``shutil.rmtree`` follows no symbolic link a user left inside it.
    """
    shutil.rmtree(path)


def volume_directories(root: Path) -> list[str]:
    """Return the names of the volume directories under *root* (not those being removed)."""
    return sorted(
        entry.name
        for entry in root.iterdir()
        if _VOLUME_NAME.fullmatch(entry.name) and directory_exists(entry)
    )


async def directory_sizes(paths: Sequence[Path], timeout_s: float) -> dict[Path, int]:
    """Return the bytes under each of *paths* (apparent size), by ``du``, within *timeout_s*.

    A path ``du`` could not size (gone meanwhile) is left out. du runs as a
    process of its own, killed at the deadline, so that a hung network file
    system holds no thread.

    Raises:
        StorageUnavailableError: du could not start or ran past *timeout_s*.
    """
    if not paths:
        return {}
    try:
        process = await asyncio.create_subprocess_exec(
            # -s: one total a path; -b: bytes, as the engine's own sizes. No
            # symbolic link is followed (du's default).
            "du",
            "-s",
            "-b",
            "--",
            *map(str, paths),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError as error:
        raise StorageUnavailableError(f"du could not be started: {error}") from error
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout_s)
    except TimeoutError as error:
        with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
            process.kill()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), _KILLED_GRACE_S)
        raise StorageUnavailableError(
            f"sizing the volume directories took longer than {timeout_s}s"
        ) from error
    # du exits 1 when it could not read some entry; its totals still count
    # what it could, as the engine's own sizes do.
    totals = parse_du(output.decode(errors="replace"))
    return {path: totals[str(path)] for path in paths if str(path) in totals}
