"""Copying one volume from one node's engine to another's, as a tar stream between their agents.

The engine's archive API reads and writes a path of a container, the
volumes mounted in it included, whether the container runs or not. So on
each side the agent creates a container that is never started, with the
volume mounted at :data:`MOUNT`: on the source node it reads the volume
(read-only) as a tar stream, which the target node's agent fetches and has
its engine unpack into a new volume. The engine keeps each file's owner,
mode and links, and nothing runs in either container.

The engine unpacks an archive's entries with their owners and modes, but
leaves the folder it unpacks into as it was: the volume's own folder (a
user's home, say, which the user must own) gets its owner and mode from
a one-entry archive after.

The stream is taken whole or not at all: the source's agent ends a stream it
cannot finish by dropping the connection (the chunked body then lacks its
end), and the target's agent also requires the two empty blocks that end
every tar archive, so that a stream cut between two files never passes for
a complete one.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import tarfile
from typing import TYPE_CHECKING

import docker.errors
import requests
from docker.types import Mount

from stellars_docker.labels import COPY_ROLE, ROLE_LABEL

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

# Where the holding container mounts the volume.
MOUNT = "/volume"
# Bytes read from either side at a time.
CHUNK_BYTES = 1024 * 1024
# A tar archive ends with two 512-byte blocks of zeros.
END_OF_ARCHIVE = bytes(1024)
# The bytes of a stream within which its first entry is read: its header,
# after an extended header with long names or fine times.
_ROOT_WITHIN_BYTES = 16 * 1024


class CopyError(Exception):
    """The copy did not complete; the message says why."""


@contextlib.contextmanager
def holding(
    client: docker.DockerClient,
    volume: str,
    *,
    image: str,
    labels: Mapping[str, str],
    read_only: bool,
) -> Iterator[str]:
    """Yield the id of a created (never started) container that mounts *volume*; remove it after.

    Blocking: call it in a worker thread.
    """
    created = client.api.create_container(
        image,
        command=["true"],
        entrypoint=[],
        name=f"stellars-copy-{secrets.token_hex(6)}",
        labels={**labels, ROLE_LABEL: COPY_ROLE},
        network_disabled=True,
        host_config=client.api.create_host_config(
            mounts=[Mount(MOUNT, volume, type="volume", read_only=read_only)],
        ),
    )
    try:
        yield str(created["Id"])
    finally:
        with contextlib.suppress(docker.errors.NotFound):
            client.api.remove_container(created["Id"], force=True)


def read_volume(client: docker.DockerClient, container: str) -> Iterator[bytes]:
    """Return the volume *container* holds as a tar stream of its contents, chunk by chunk.

    Blocking, as is each step of the iterator: run both in a worker thread.
    """
    stream, _stat = client.api.get_archive(container, f"{MOUNT}/.", chunk_size=CHUNK_BYTES)
    return iter(stream)


class IncomingArchive:
    """A volume's tar stream as another agent sends it: its chunks, and what passed so far.

    Attributes:
        copied_bytes: the bytes received so far (read from another thread).
        root: the archive's first entry, the volume's own folder, once seen:
            the engine skips that entry's owner and mode when it unpacks, so
            :func:`write_volume` applies them after.
    """

    def __init__(self, url: str, body: str, headers: Mapping[str, str], *, idle_s: float) -> None:
        self._url = url
        self._body = body
        self._headers = dict(headers)
        self._idle_s = idle_s
        self.copied_bytes = 0
        self.root: tarfile.TarInfo | None = None
        self._head = b""

    def chunks(self) -> Iterator[bytes]:
        """Yield the stream's chunks, checking that it is whole. Blocking.

        Raises:
            CopyError: the source refused, went silent for *idle_s*, dropped
                the stream, or sent one without the archive's end.
        """
        tail = b""
        try:
            with requests.post(
                self._url,
                data=self._body,
                headers={**self._headers, "Content-Type": "application/json"},
                stream=True,
                timeout=(10, self._idle_s),
            ) as response:
                if response.status_code != requests.codes.ok:
                    raise CopyError(
                        f"the source node's agent answered {response.status_code}: "
                        f"{response.text[:300]}"
                    )
                for chunk in response.iter_content(CHUNK_BYTES):
                    self.copied_bytes += len(chunk)
                    self._look_for_root(chunk)
                    tail = (tail + chunk)[-len(END_OF_ARCHIVE) :]
                    yield chunk
        except requests.RequestException as error:
            raise CopyError(f"the stream from the source node broke off: {error}") from error
        if tail != END_OF_ARCHIVE:
            raise CopyError("the stream from the source node ended before the archive did")
        self._look_for_root(b"", ended=True)

    def _look_for_root(self, chunk: bytes, *, ended: bool = False) -> None:
        # The first entry is in the first blocks (after an extended header, if any).
        if self.root is not None or len(self._head) >= _ROOT_WITHIN_BYTES:
            return
        self._head += chunk
        if len(self._head) < _ROOT_WITHIN_BYTES and not ended:
            return
        try:
            with tarfile.open(fileobj=io.BytesIO(self._head), mode="r|") as archive:
                self.root = archive.next()
        except (tarfile.TarError, EOFError):
            self.root = None
        self._head = b"" if self.root is not None else self._head


def write_volume(client: docker.DockerClient, container: str, archive: IncomingArchive) -> None:
    """Unpack *archive* into the volume *container* holds, its own folder's owner and mode too.

    Blocking.

    Raises:
        CopyError: the archive broke off, or the engine refused it.
    """
    failure: list[CopyError] = []

    def keeping_failure() -> Iterator[bytes]:
        # The engine's client sees a broken body as a broken connection:
        # keep the reason, which says more.
        try:
            yield from archive.chunks()
        except CopyError as error:
            failure.append(error)
            raise

    try:
        client.api.put_archive(container, MOUNT, keeping_failure())
        if archive.root is not None:
            client.api.put_archive(container, "/", _folder_entry(archive.root))
    except (docker.errors.APIError, requests.RequestException, CopyError) as error:
        if failure:
            raise failure[0] from error
        raise CopyError(f"the engine did not unpack the archive: {error}") from error
    if failure:
        raise failure[0]


def _folder_entry(root: tarfile.TarInfo) -> bytes:
    # The mount point as a folder entry of its own name: unpacked at "/", the
    # engine applies its owner and mode to the folder that is there (the
    # volume), which it does not do for an archive's "." entry.
    entry = tarfile.TarInfo(MOUNT.strip("/"))
    entry.type = tarfile.DIRTYPE
    entry.uid, entry.gid = root.uid, root.gid
    entry.uname, entry.gname = root.uname, root.gname
    entry.mode = root.mode & 0o7777
    entry.mtime = root.mtime
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        archive.addfile(entry)
    return buffer.getvalue()
