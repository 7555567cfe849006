"""The node agent's HTTP server: the hub's requests for work on this node's engine.

Only the hub may ask (the shared secret), only by POST with a small JSON
body, and only for what :mod:`~stellars_docker.swarm.agent.protocol`
names. Every refusal is ``{"status": N, "message": "..."}``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError
from tornado import web

from stellars_docker.errors import DockerUnavailableError
from stellars_docker.swarm.agent.protocol import (
    MAX_BODY_BYTES,
    MEASURE_PATH,
    OWNED_PATH,
    REMOVE_PATH,
    SECRET_HEADER,
    SIZES_PATH,
    STATS_PATH,
    AgentError,
    ContainerSample,
    MeasureAnswer,
    MeasureRequest,
    NoBody,
    OwnedAnswer,
    RemoveAnswer,
    RemoveRequest,
    SizesAnswer,
    StatsAnswer,
    VolumesRequest,
    presented_secret,
    secret_matches,
)
from stellars_docker.swarm.agent.work import measure_claimed, remove_claimed, sort_claims

if TYPE_CHECKING:
    import docker

    from stellars_docker.sizes import VolumeSizeRefresher
    from stellars_docker.stats import StatsCollector

log = logging.getLogger(__name__)

Body = TypeVar("Body", bound=BaseModel)


@dataclass
class AgentContext:
    """What every request of one agent works with.

    Attributes:
        client: this node's engine.
        node: this node's host name, as the swarm lists it.
        secret: the secret the hub presents.
        limit_s: seconds a quick engine call may take.
        stats: the collector of this node's lab containers' stats.
        sizes: the refresher of this node's volume sizes.
        labels: labels put on the containers the agent starts (measuring).
    """

    client: docker.DockerClient
    node: str
    secret: str
    limit_s: float
    stats: StatsCollector
    sizes: VolumeSizeRefresher
    labels: dict[str, str] = field(default_factory=dict)


class _AgentHandler(web.RequestHandler):
    def initialize(self, context: AgentContext) -> None:
        self.context = context

    def prepare(self) -> None:
        # Before the body is read: an unauthenticated caller gets nothing more.
        presented = presented_secret(self.request.headers.get(SECRET_HEADER))
        if presented is None:
            raise web.HTTPError(HTTPStatus.UNAUTHORIZED, "the hub's secret is missing")
        if not secret_matches(presented, self.context.secret):
            raise web.HTTPError(HTTPStatus.FORBIDDEN, "the secret is not the hub's")
        if self.request.method != "POST":
            raise web.HTTPError(HTTPStatus.METHOD_NOT_ALLOWED, "only POST is served")

    def body(self, model: type[Body]) -> Body:
        if len(self.request.body) > MAX_BODY_BYTES:
            raise web.HTTPError(
                HTTPStatus.BAD_REQUEST, f"bodies are at most {MAX_BODY_BYTES} bytes"
            )
        try:
            return model.model_validate_json(self.request.body or b"{}")
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, problem['loc'])) or 'body'}: {problem['msg']}"
                for problem in error.errors()
            )
            raise web.HTTPError(HTTPStatus.BAD_REQUEST, problems) from error

    def answer(self, model: BaseModel) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(model.model_dump_json())

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        message = self._reason
        exc_info = kwargs.get("exc_info")
        if exc_info is not None:
            error = exc_info[1]
            if isinstance(error, web.HTTPError) and error.log_message:
                message = error.log_message
        self.set_header("Content-Type", "application/json")
        self.finish(AgentError(status=status_code, message=message).model_dump_json())

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, web.HTTPError):
            return  # an answer, not a fault
        super().log_exception(typ, value, tb)

    def check_xsrf_cookie(self) -> None:
        """No cookies here: the bearer secret is the only credential."""


def _unavailable(error: DockerUnavailableError) -> web.HTTPError:
    return web.HTTPError(HTTPStatus.SERVICE_UNAVAILABLE, str(error))


class StatsHandler(_AgentHandler):
    """POST: the stats of the lab containers running on this node, sampled now."""

    async def post(self) -> None:
        """Answer :class:`StatsAnswer`."""
        self.body(NoBody)
        await self.context.stats.refresh()
        samples = [
            ContainerSample(
                container_name=stats.container_name,
                cpu_percent=max(0.0, stats.cpu_percent),
                memory_bytes=stats.memory_bytes,
                memory_limit_bytes=stats.memory_limit_bytes,
                sampled_at=None if stats.sampled_at is None else stats.sampled_at.isoformat(),
            )
            for stats in self.context.stats.snapshot().values()
        ]
        self.answer(StatsAnswer(node=self.context.node, containers=samples))


class SizesHandler(_AgentHandler):
    """POST: the size of every volume on this node, as the engine computes it now."""

    async def post(self) -> None:
        """Answer :class:`SizesAnswer`."""
        self.body(NoBody)
        await self.context.sizes.refresh()
        self.answer(SizesAnswer(node=self.context.node, volumes=self.context.sizes.sizes()))


class OwnedHandler(_AgentHandler):
    """POST: which of the volumes named are on this node, the account's or another's."""

    async def post(self) -> None:
        """Answer :class:`OwnedAnswer`; 503 when the engine does not answer."""
        request = self.body(VolumesRequest)
        try:
            owned, foreign = await sort_claims(
                self.context.client, request.volumes, self.context.limit_s
            )
        except DockerUnavailableError as error:
            raise _unavailable(error) from error
        self.answer(
            OwnedAnswer(
                node=self.context.node,
                volumes=[claim.name for claim in owned],
                foreign=foreign,
            )
        )


class RemoveHandler(_AgentHandler):
    """POST: remove the volumes named that are on this node and the account's."""

    async def post(self) -> None:
        """Answer :class:`RemoveAnswer`; 503 when the engine does not answer."""
        request = self.body(RemoveRequest)
        try:
            outcomes = await remove_claimed(
                self.context.client,
                request.volumes,
                limit_s=self.context.limit_s,
                wait_s=request.wait_s,
            )
        except DockerUnavailableError as error:
            raise _unavailable(error) from error
        for outcome in outcomes:
            if outcome.removed:
                log.info("removed the volume %s for the hub", outcome.name)
        self.answer(RemoveAnswer(node=self.context.node, volumes=outcomes))


class MeasureHandler(_AgentHandler):
    """POST: measure the volumes named that are on this node and the account's, now."""

    async def post(self) -> None:
        """Answer :class:`MeasureAnswer`; 503 when the engine or ``du`` fails."""
        request = self.body(MeasureRequest)
        try:
            measured = await measure_claimed(
                self.context.client,
                request.volumes,
                image=request.image,
                labels=self.context.labels,
                timeout_s=request.timeout_s,
                limit_s=self.context.limit_s,
            )
        except DockerUnavailableError as error:
            raise _unavailable(error) from error
        self.answer(MeasureAnswer(node=self.context.node, volumes=measured))


class _NotServed(_AgentHandler):
    def prepare(self) -> None:
        super().prepare()
        raise web.HTTPError(HTTPStatus.NOT_FOUND, "no such operation")


def make_app(context: AgentContext) -> web.Application:
    """Return the agent's Tornado application serving *context*'s node."""
    routes: list[Any] = [
        (STATS_PATH, StatsHandler, {"context": context}),
        (SIZES_PATH, SizesHandler, {"context": context}),
        (OWNED_PATH, OwnedHandler, {"context": context}),
        (REMOVE_PATH, RemoveHandler, {"context": context}),
        (MEASURE_PATH, MeasureHandler, {"context": context}),
        (r".*", _NotServed, {"context": context}),
    ]
    return web.Application(routes, default_handler_class=None, compress_response=False)
