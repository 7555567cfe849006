"""``POST /hub/api/users/{name}/volume-sizes``: measure a user's own volumes now."""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus

from stellars_docker.errors import MeasurementTooSoonError
from stellars_ui.handlers.base import StellarsAPIHandler
from stellars_ui.models.common import Error, NoFields
from stellars_ui.models.volumes import MeasuredSize, MeasuredSizes


class VolumeSizesHandler(StellarsAPIHandler):
    """POST: the user's volumes measured by the engine now, kept as their last known sizes."""

    async def post(self, user_name: str) -> None:
        """Answer ``{"volumes": [{suffix, name, size_bytes}], "measured_at"}``.

        409 while a measurement for the user runs, 429 (with Retry-After)
        within the rate window after one, 503 when the engine does not answer.
        """
        self.require_user_scope("servers", user_name)
        user = self.target_user(user_name)
        self.body(NoFields)
        runtime = self.docker_runtime
        try:
            measured = await runtime.measure_volumes(self.db, user.id, user.name)
        except MeasurementTooSoonError as error:
            # Answered here rather than raised: sending an error clears the
            # headers, and Retry-After is the point of this answer.
            self.set_status(HTTPStatus.TOO_MANY_REQUESTS)
            self.set_header("Retry-After", str(error.retry_after_s))
            self.answer(Error(status=HTTPStatus.TOO_MANY_REQUESTS, message=str(error)))
            return
        self.answer(
            MeasuredSizes(
                volumes=[
                    MeasuredSize(suffix=v.suffix, name=v.name, size_bytes=v.size_bytes)
                    for v in measured
                ],
                measured_at=datetime.now(UTC).isoformat(),
            )
        )
