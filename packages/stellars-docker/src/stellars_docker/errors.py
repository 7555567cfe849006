"""The errors this package raises; the UI maps each to one HTTP status."""

from __future__ import annotations


class StellarsDockerError(Exception):
    """Base of every error raised by stellars-docker."""


class DockerUnavailableError(StellarsDockerError):
    """The Docker engine did not answer, or answered with a server error, in time."""


class ServerStateError(StellarsDockerError):
    """The user's server is not in the state the operation needs (running, stopped, idle)."""


class RestartInProgressError(ServerStateError):
    """A restart of the same server is already under way."""


class RestartTimeoutError(StellarsDockerError):
    """The container restarted but JupyterLab did not answer again in time."""


class InvalidVolumeSelectionError(StellarsDockerError):
    """The volumes asked for are not the user's resettable volumes."""
