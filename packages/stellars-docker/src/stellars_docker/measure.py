"""Measuring one user's volumes now, on request, instead of waiting for the background refresh.

The sizes are read by ``du`` in a short-lived container of the platform's own
lab image (the configured one, which users cannot change), never inside the
user's own container: its binaries are the user's, who could make them
report less and so get past a quota. The container mounts that user's
volumes only, read-only, has no network and no capability but reading every
file, and is removed whatever happens.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import docker.errors
import requests.exceptions

from stellars_docker.engine import call_engine
from stellars_docker.errors import (
    DockerUnavailableError,
    MeasurementInProgressError,
    MeasurementTooSoonError,
)
from stellars_docker.labels import MEASURE_ROLE, ROLE_LABEL
from stellars_docker.naming import volume_name
from stellars_docker.ownership import owns_volume
from stellars_docker.ownership_store import account_of
from stellars_docker.volumes import volume_names

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from stellars_docker.ownership_store import Database
    from stellars_docker.volumes import UserVolume

log = logging.getLogger(__name__)

# Where the n-th volume is mounted in the measuring container.
_MOUNT_ROOT = "/stellars-measure"
# Enough for du over a few volumes; the container can do nothing else.
_MEMORY_LIMIT = "128m"
_PIDS_LIMIT = 16
# Seconds a measurement may wait for the container to go away once it has
# answered (or run out of time): removal is quick, but it is an engine call.
_REMOVE_GRACE_S = 10.0
# Measurements running at once, for all users together, and the seconds a
# user is told to wait when that many run.
MAX_RUNNING = 4
BUSY_RETRY_S = 5


@dataclass(frozen=True)
class MeasuredVolume:
    """One of a user's volumes as ``du`` found it.

    Attributes:
        suffix: the volume's short name (``home``).
        name: its name on disk.
        size_bytes: the bytes its files hold (apparent size), or None when
            ``du`` gave no total for it.
    """

    suffix: str
    name: str
    size_bytes: int | None


class MeasureLimiter:
    """Measurements held to one per user at a time and per *interval_s*, *max_running* in all.

    The last bound, for everyone together, is the host's: each measurement
    is a container walking every file of a user's volumes, and a class of
    500 pressing "Measure now" together must not start 500 of them. In
    memory: the hub is one process, and after a restart a user may measure
    again.
    """

    def __init__(
        self,
        interval_s: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_running: int = MAX_RUNNING,
    ) -> None:
        if interval_s < 0:
            raise ValueError(f"interval_s must not be negative, got {interval_s}")
        if max_running < 1:
            raise ValueError(f"max_running must be at least 1, got {max_running}")
        self._interval_s = interval_s
        self._clock = clock
        self._max_running = max_running
        self._running: set[str] = set()
        self._last: dict[str, float] = {}

    @contextlib.contextmanager
    def claim(self, key: str) -> Iterator[None]:
        """Hold *key*'s measurement slot for the duration of the ``with`` block.

        The slot counts from when it was claimed, whether the measurement
        then succeeds or not: a failing engine is not asked again at once.
        A claim refused because others run does not count.

        Raises:
            MeasurementInProgressError: a measurement for *key* is under way.
            MeasurementTooSoonError: *key* was measured less than
                *interval_s* ago, or *max_running* measurements run now; its
                ``retry_after_s`` says when to try again.
        """
        if key in self._running:
            raise MeasurementInProgressError(f"the volumes of {key} are being measured already")
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self._interval_s:
            wait = max(1, int(self._interval_s - (now - last) + 0.999))
            raise MeasurementTooSoonError(
                f"the volumes of {key} were measured moments ago: try again in {wait} s", wait
            )
        if len(self._running) >= self._max_running:
            raise MeasurementTooSoonError(
                f"{len(self._running)} measurements are running: try again in {BUSY_RETRY_S} s",
                BUSY_RETRY_S,
            )
        self._running.add(key)
        self._last[key] = now
        try:
            yield
        finally:
            self._running.discard(key)


async def measure_user_volumes(
    client: docker.DockerClient,
    db: Database,
    user_id: int,
    user_volumes: tuple[UserVolume, ...],
    *,
    image: str,
    labels: Mapping[str, str],
    timeout_s: float,
    limit_s: float,
) -> list[MeasuredVolume]:
    """Return the sizes of hub user *user_id*'s own volumes, measured now by ``du``.

    The volumes are found as "Manage volumes" finds them: by exact name, and
    only those the account owns. None of them existing answers an empty list
    without starting anything. *timeout_s* bounds the measuring container's
    run, *limit_s* each quick engine call.

    Raises:
        DockerUnavailableError: the engine did not answer, refused the
            container (the image is missing, say) or ``du`` ran past *timeout_s*.
    """
    account = account_of(db, user_id)
    present = await call_engine(limit_s, volume_names, client)
    owned: list[tuple[UserVolume, str]] = []
    for volume in user_volumes:
        name = volume_name(volume, account.name)
        if name in present and await owns_volume(client, db, account, name, limit_s):
            owned.append((volume, name))
    return await measure_named_volumes(
        client,
        [(volume.suffix, name) for volume, name in owned],
        image=image,
        labels=labels,
        timeout_s=timeout_s,
    )


async def measure_named_volumes(
    client: docker.DockerClient,
    volumes: Sequence[tuple[str, str]],
    *,
    image: str,
    labels: Mapping[str, str],
    timeout_s: float,
) -> list[MeasuredVolume]:
    """Return the sizes of *volumes* (suffix, name), measured now by ``du``, in their order.

    The caller has checked that they exist and are the one account's: they
    are mounted as named. None answers an empty list without starting anything.

    Raises:
        DockerUnavailableError: as :func:`measure_user_volumes`.
    """
    if not volumes:
        return []
    names = [name for _, name in volumes]
    container = f"stellars-measure-{secrets.token_hex(6)}"
    all_labels = {**labels, ROLE_LABEL: MEASURE_ROLE}
    try:
        output = await call_engine(
            timeout_s + _REMOVE_GRACE_S,
            _run_du,
            client,
            image=image,
            name=container,
            volumes=names,
            labels=all_labels,
            timeout_s=timeout_s,
        )
    except docker.errors.APIError as error:
        # A 4xx: the engine refused the container (no such image, say).
        raise DockerUnavailableError(
            f"the engine refused the measuring container: {error.explanation}"
        ) from error
    totals = parse_du(output)
    return [
        MeasuredVolume(suffix, name, totals.get(f"{_MOUNT_ROOT}/{index}"))
        for index, (suffix, name) in enumerate(volumes)
    ]


def parse_du(output: str) -> dict[str, int]:
    """Return each path's total in bytes from ``du -s``'s output (size, a tab, the path per line).

    Lines of another form (a warning that slipped into the output) are skipped.
    """
    totals: dict[str, int] = {}
    for line in output.splitlines():
        size, tab, path = line.partition("\t")
        if tab and size.isdigit():
            totals[path] = int(size)
    return totals


def _run_du(
    client: docker.DockerClient,
    *,
    image: str,
    name: str,
    volumes: list[str],
    labels: dict[str, str],
    timeout_s: float,
) -> str:
    # Created, started and removed apart (not containers.run with auto_remove)
    # so that the output is read before the container goes, and a container
    # that overran is still ours to remove by its name.
    paths = [f"{_MOUNT_ROOT}/{index}" for index in range(len(volumes))]
    try:
        created = client.containers.create(
            image,
            # -x: one file system per mount; -b: bytes, as the engine's own sizes.
            ["-s", "-x", "-b", *paths],
            entrypoint=["du"],
            name=name,
            labels=labels,
            network_disabled=True,
            # Root to read every file (a user's private ones included), but with
            # no capability except reading past file permissions.
            user="0",
            cap_drop=["ALL"],
            cap_add=["DAC_READ_SEARCH"],
            security_opt=["no-new-privileges"],
            read_only=True,
            mem_limit=_MEMORY_LIMIT,
            pids_limit=_PIDS_LIMIT,
            volumes={
                volume: {"bind": path, "mode": "ro"}
                for volume, path in zip(volumes, paths, strict=True)
            },
        )
        created.start()
        try:
            created.wait(timeout=timeout_s)
        except requests.exceptions.ConnectionError as error:
            # docker-py reports a wait that ran out of time as a read timeout.
            raise DockerUnavailableError(
                f"measuring the volumes took longer than {timeout_s}s"
            ) from error
        # du's exit status is 1 when it could not read some entry; the totals
        # it printed still count what it could read, so they are used all the same.
        return str(created.logs(stdout=True, stderr=False).decode(errors="replace"))
    finally:
        _remove(client, name)


def _remove(client: docker.DockerClient, name: str) -> None:
    try:
        client.api.remove_container(name, force=True)
    except docker.errors.NotFound:
        pass  # never created
    except (docker.errors.DockerException, requests.exceptions.RequestException) as error:
        log.warning("could not remove the measuring container %s: %s", name, error)
