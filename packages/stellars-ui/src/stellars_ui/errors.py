"""The HTTP status of each domain error: the one map from packages' errors to answers."""

from __future__ import annotations

from http import HTTPStatus

from stellars_activity import (
    CullerDisabledError,
    InvalidHoursError,
    NothingOnOfferError,
    ServerNotRunningError,
)
from stellars_docker.errors import (
    DockerUnavailableError,
    InvalidVolumeSelectionError,
    RestartTimeoutError,
    ServerStateError,
)

STATUS_OF_ERROR: dict[type[BaseException], HTTPStatus] = {
    InvalidVolumeSelectionError: HTTPStatus.BAD_REQUEST,
    ServerStateError: HTTPStatus.CONFLICT,
    DockerUnavailableError: HTTPStatus.SERVICE_UNAVAILABLE,
    RestartTimeoutError: HTTPStatus.GATEWAY_TIMEOUT,
    InvalidHoursError: HTTPStatus.BAD_REQUEST,
    NothingOnOfferError: HTTPStatus.CONFLICT,
    CullerDisabledError: HTTPStatus.CONFLICT,
    ServerNotRunningError: HTTPStatus.CONFLICT,
}


def http_status_of(error: BaseException) -> HTTPStatus | None:
    """Return the status a domain *error* answers with, or None for an unexpected error."""
    for error_type, status in STATUS_OF_ERROR.items():
        if isinstance(error, error_type):
            return status
    return None
