"""Volume sizes, refreshed in the background from the engine's disk-usage report.

The engine walks every file of every volume to size them, which can take
minutes on a busy host, so no page ever asks for sizes itself:
:class:`VolumeSizeRefresher` asks on its own schedule and pages read its
last answer.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any

import docker.errors

from stellars_docker.engine import call_engine
from stellars_docker.errors import DockerUnavailableError
from stellars_docker.refresher import SizesRefresher

if TYPE_CHECKING:
    from collections.abc import Mapping


def parse_volume_sizes(df: Mapping[str, Any]) -> dict[str, int | None]:
    """Return each volume's size in bytes from a ``GET /system/df`` answer.

    A size the engine has not computed (``UsageData`` missing, or its
    ``Size`` is -1, as for volumes of other drivers) is None, never 0: an
    unknown size must not read as an empty volume.

    Returns:
        Volume name to size in bytes, or to None where the size is unknown.
    """
    volumes = df.get("Volumes")
    sizes: dict[str, int | None] = {}
    for volume in volumes if isinstance(volumes, list) else []:
        if not isinstance(volume, dict) or not isinstance(volume.get("Name"), str):
            continue
        usage = volume.get("UsageData")
        size = usage.get("Size") if isinstance(usage, dict) else None
        known = isinstance(size, int) and not isinstance(size, bool) and size >= 0
        sizes[volume["Name"]] = size if known else None
    return sizes


def _volume_disk_usage(client: docker.DockerClient, timeout_s: float) -> Mapping[str, Any]:
    # docker-py's client.df() cannot ask for volumes only, and its public
    # API has no other way to pass query parameters. Engines from API 1.42
    # then skip images, containers and build cache; older ones ignore
    # ``type`` and report everything, which parse_volume_sizes tolerates.
    # The request gets the sizes' own timeout: the client's is the one for
    # quick calls (JUPYTERHUB_DOCKER_TIMEOUT), and a walk of every volume
    # on a full host takes longer than that.
    api = client.api
    response = api._get(  # noqa: SLF001
        api._url("/system/df"),  # noqa: SLF001
        params={"type": "volume"},
        timeout=timeout_s,
    )
    result: Mapping[str, Any] = api._result(response, json=True)  # noqa: SLF001
    return result


class VolumeSizeRefresher(SizesRefresher):
    """Keeps the last known size of every volume on the engine.

    The caller creates one refresher, calls :meth:`start` once the event loop
    runs, and reads :meth:`sizes` or :meth:`size_of` whenever it needs them.

    Args:
        client: the Docker engine's client.
        interval_s: seconds from the start of one refresh to the start of the next.
        timeout_s: seconds one disk-usage query may take.

    Raises:
        ValueError: an interval or timeout that is not positive.
    """

    def __init__(self, client: docker.DockerClient, *, interval_s: float, timeout_s: float) -> None:
        if interval_s <= 0 or timeout_s <= 0:
            raise ValueError(
                f"interval_s and timeout_s must be positive, got {interval_s} and {timeout_s}"
            )
        super().__init__("volume sizes", interval_s)
        self._client = client
        self._timeout_s = timeout_s
        self._refreshing = asyncio.Lock()
        # Held by the worker thread while a query runs. A query past its
        # deadline goes on in its thread, so this, not the asyncio lock,
        # keeps a slow engine from being handed a second walk of every volume.
        self._query_running = threading.Lock()

    def size_of(self, name: str) -> int | None:
        """Return the last known size of volume *name* in bytes.

        Returns:
            The size, or None when the volume is unknown or not yet sized.
        """
        return self._sizes.get(name)

    async def refresh(self) -> None:
        """Ask the engine for every volume's size and keep the answer.

        Waits for a refresh already under way, so two never overlap. When the
        engine cannot be reached, is still busy with an earlier query or
        refuses this one, the last sizes stay and one warning is logged until
        a query succeeds again.
        """
        async with self._refreshing:
            try:
                df = await call_engine(self._timeout_s, self._query)
            except (DockerUnavailableError, docker.errors.APIError) as error:
                # APIError here is a 4xx, such as the 409 older engines give
                # while another disk-usage query runs.
                self._engine_unavailable(str(error))
                return
            if df is None:
                self._engine_unavailable("the previous volume-size query is still running")
                return
            self._sizes = parse_volume_sizes(df)
            self._engine_answers()

    def _query(self) -> Mapping[str, Any] | None:
        if not self._query_running.acquire(blocking=False):
            return None
        try:
            return _volume_disk_usage(self._client, self._timeout_s)
        finally:
            self._query_running.release()
