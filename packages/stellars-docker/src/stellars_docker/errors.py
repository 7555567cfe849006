"""The errors this package raises; the UI maps each to one HTTP status."""

from __future__ import annotations


class StellarsDockerError(Exception):
    """Base of every error raised by stellars-docker."""


class DockerUnavailableError(StellarsDockerError):
    """The Docker engine did not answer, or answered with a server error, in time."""


class StorageUnavailableError(DockerUnavailableError):
    """The storage every swarm node shares did not answer in time, or failed.

    A kind of :class:`DockerUnavailableError`: where volumes live on shared
    storage, it stands where the engine's volumes stand elsewhere, and a
    handler answers the same way for either.
    """


class ServerStateError(StellarsDockerError):
    """The user's server is not in the state the operation needs (running, stopped, idle)."""


class RestartInProgressError(ServerStateError):
    """A restart of the same server is already under way."""


class RestartTimeoutError(StellarsDockerError):
    """The container restarted but JupyterLab did not answer again in time."""


class InvalidVolumeSelectionError(StellarsDockerError):
    """The volumes asked for are not the user's resettable volumes."""


class VolumeOwnershipError(StellarsDockerError):
    """A volume a spawn would mount belongs to another account or to a deleted one.

    ``jupyterhub_message`` is what JupyterHub shows as the spawn's error.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.jupyterhub_message = message


class ArchiveError(StellarsDockerError):
    """An archived volume cannot be assigned or purged as asked."""


class NotArchivedError(ArchiveError):
    """The volume named is not an archived user volume."""


class MeasurementInProgressError(StellarsDockerError):
    """The user's volumes are being measured already."""


class MeasurementTooSoonError(StellarsDockerError):
    """The user's volumes were measured moments ago; ``retry_after_s`` says when to ask again."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class NotOnASwarmError(StellarsDockerError):
    """The operation is a swarm's (nodes, moves), and the servers run on one engine."""


class UnknownNodeError(StellarsDockerError):
    """No node of the swarm has the id or name given."""


class MoveRefusedError(StellarsDockerError):
    """A user cannot be moved to the node asked for, or their files could not be copied there."""


class MoveInProgressError(StellarsDockerError):
    """The user's files are being moved to another node.

    ``jupyterhub_message`` is what JupyterHub shows when a spawn is refused for it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.jupyterhub_message = message


class SwarmSpawnError(StellarsDockerError):
    """The swarm cannot run a user's server: it rejected the task or has no node for it.

    ``jupyterhub_message`` is what JupyterHub shows as the spawn's error.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.jupyterhub_message = message
