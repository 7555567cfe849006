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
    ArchiveError,
    DockerUnavailableError,
    InvalidVolumeSelectionError,
    MeasurementInProgressError,
    NotArchivedError,
    RestartTimeoutError,
    ServerStateError,
)
from stellars_docker.policy import (
    PolicyRejectedError,
    RevisionConflictError,
    UnknownGroupError,
)
from stellars_ui.broadcasts import NobodyToNotifyError, SenderMissingError

STATUS_OF_ERROR: dict[type[BaseException], HTTPStatus] = {
    NobodyToNotifyError: HTTPStatus.CONFLICT,
    # A configuration fault, said plainly rather than as a bare 500.
    SenderMissingError: HTTPStatus.INTERNAL_SERVER_ERROR,
    InvalidVolumeSelectionError: HTTPStatus.BAD_REQUEST,
    ServerStateError: HTTPStatus.CONFLICT,
    MeasurementInProgressError: HTTPStatus.CONFLICT,
    # Before ArchiveError, its base: the first match wins.
    NotArchivedError: HTTPStatus.NOT_FOUND,
    ArchiveError: HTTPStatus.CONFLICT,
    DockerUnavailableError: HTTPStatus.SERVICE_UNAVAILABLE,
    RestartTimeoutError: HTTPStatus.GATEWAY_TIMEOUT,
    UnknownGroupError: HTTPStatus.NOT_FOUND,
    PolicyRejectedError: HTTPStatus.BAD_REQUEST,
    RevisionConflictError: HTTPStatus.CONFLICT,
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
