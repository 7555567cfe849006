"""The HTTP status of each domain error: the one map from packages' errors to answers.

The errors of stellars-docker are mapped in ``stellars_ui.docker_errors``,
which is imported only once such an error exists: a hub without
stellars-docker installed (Kubernetes) never imports it.
"""

from __future__ import annotations

from http import HTTPStatus

from stellars_activity import (
    CullerDisabledError,
    InvalidHoursError,
    NothingOnOfferError,
    ServerNotRunningError,
)
from stellars_ui.broadcasts import NobodyToNotifyError, SenderMissingError

STATUS_OF_ERROR: dict[type[BaseException], HTTPStatus] = {
    NobodyToNotifyError: HTTPStatus.CONFLICT,
    # A configuration fault, said plainly rather than as a bare 500.
    SenderMissingError: HTTPStatus.INTERNAL_SERVER_ERROR,
    InvalidHoursError: HTTPStatus.BAD_REQUEST,
    NothingOnOfferError: HTTPStatus.CONFLICT,
    CullerDisabledError: HTTPStatus.CONFLICT,
    ServerNotRunningError: HTTPStatus.CONFLICT,
}

_DOCKER_PACKAGE = "stellars_docker"


def http_status_of(error: BaseException) -> HTTPStatus | None:
    """Return the status a domain *error* answers with, or None for an unexpected error."""
    status = _first_match(STATUS_OF_ERROR, error)
    if status is not None or not _from_docker(error):
        return status
    # An error raised by stellars-docker proves it is installed (and imported):
    # only then is its map imported.
    from stellars_ui.docker_errors import DOCKER_STATUS_OF_ERROR  # noqa: PLC0415

    return _first_match(DOCKER_STATUS_OF_ERROR, error)


def _first_match(
    statuses: dict[type[BaseException], HTTPStatus], error: BaseException
) -> HTTPStatus | None:
    # In order: a subclass listed before its base wins.
    for error_type, status in statuses.items():
        if isinstance(error, error_type):
            return status
    return None


def _from_docker(error: BaseException) -> bool:
    return any(cls.__module__.split(".", 1)[0] == _DOCKER_PACKAGE for cls in type(error).__mro__)
