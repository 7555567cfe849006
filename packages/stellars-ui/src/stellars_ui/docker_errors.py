"""The HTTP status of each stellars-docker error (see ``stellars_ui.errors``)."""

from __future__ import annotations

from http import HTTPStatus

from stellars_docker.errors import (
    ArchiveError,
    DockerUnavailableError,
    InvalidVolumeSelectionError,
    MeasurementInProgressError,
    MoveInProgressError,
    MoveRefusedError,
    NotArchivedError,
    NotOnASwarmError,
    RestartTimeoutError,
    ServerStateError,
    SwarmSpawnError,
    UnknownNodeError,
)
from stellars_docker.policy import (
    PolicyRejectedError,
    RevisionConflictError,
    UnknownGroupError,
)

DOCKER_STATUS_OF_ERROR: dict[type[BaseException], HTTPStatus] = {
    InvalidVolumeSelectionError: HTTPStatus.BAD_REQUEST,
    ServerStateError: HTTPStatus.CONFLICT,
    MeasurementInProgressError: HTTPStatus.CONFLICT,
    # Moving a user between swarm nodes: the node named is not the swarm's
    # (bad input); the rest is the state of the swarm or of the user.
    UnknownNodeError: HTTPStatus.BAD_REQUEST,
    MoveRefusedError: HTTPStatus.CONFLICT,
    MoveInProgressError: HTTPStatus.CONFLICT,
    NotOnASwarmError: HTTPStatus.CONFLICT,
    # Before ArchiveError, its base: the first match wins.
    NotArchivedError: HTTPStatus.NOT_FOUND,
    ArchiveError: HTTPStatus.CONFLICT,
    DockerUnavailableError: HTTPStatus.SERVICE_UNAVAILABLE,
    RestartTimeoutError: HTTPStatus.GATEWAY_TIMEOUT,
    # The swarm cannot run the server now (its node is drained or down, the task fails).
    SwarmSpawnError: HTTPStatus.SERVICE_UNAVAILABLE,
    UnknownGroupError: HTTPStatus.NOT_FOUND,
    PolicyRejectedError: HTTPStatus.BAD_REQUEST,
    RevisionConflictError: HTTPStatus.CONFLICT,
}
