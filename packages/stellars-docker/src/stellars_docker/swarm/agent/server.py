"""The node agent's HTTP server: the hub's requests for work on this node's engine.

Only the hub may ask (the shared secret), only by POST with a small JSON
body, and only for what :mod:`~stellars_docker.swarm.agent.protocol`
names. Every refusal is ``{"status": N, "message": "..."}``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

import docker.errors
from pydantic import BaseModel, ValidationError
from tornado import web

from stellars_docker.engine import call_engine
from stellars_docker.errors import DockerUnavailableError
from stellars_docker.labels import OWNER_LABEL
from stellars_docker.swarm.agent.copy import (
    CopyError,
    IncomingArchive,
    holding,
    read_volume,
    write_volume,
)
from stellars_docker.swarm.agent.protocol import (
    EXPORT_PATH,
    IMPORT_PATH,
    MAX_BODY_BYTES,
    MEASURE_PATH,
    OWNED_PATH,
    REMOVE_PATH,
    SECRET_HEADER,
    SIZES_PATH,
    STATS_PATH,
    USER_VOLUMES_PATH,
    AgentError,
    ContainerSample,
    CopyProgress,
    ExportRequest,
    ImportRequest,
    MeasureAnswer,
    MeasureRequest,
    NoBody,
    OwnedAnswer,
    RemoveAnswer,
    RemoveRequest,
    SizesAnswer,
    StatsAnswer,
    UserVolumesAnswer,
    VolumesRequest,
    bearer,
    presented_secret,
    secret_matches,
)
from stellars_docker.swarm.agent.work import (
    measure_claimed,
    remove_claimed,
    sort_claims,
    user_volumes_here,
)

if TYPE_CHECKING:
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
        port: the port every agent serves on (an import fetches from another).
        copy_idle_s: seconds a copy's source may send nothing before the copy fails.
    """

    client: docker.DockerClient
    node: str
    secret: str
    limit_s: float
    stats: StatsCollector
    sizes: VolumeSizeRefresher
    labels: dict[str, str] = field(default_factory=dict)
    port: int = 0
    copy_idle_s: float = 120.0


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


class UserVolumesHandler(_AgentHandler):
    """POST: every user volume on this node (and every one without a role), with its owner."""

    async def post(self) -> None:
        """Answer :class:`UserVolumesAnswer`; 503 when the engine does not answer."""
        self.body(NoBody)
        try:
            found = await user_volumes_here(self.context.client, self.context.limit_s)
        except DockerUnavailableError as error:
            raise _unavailable(error) from error
        self.answer(UserVolumesAnswer(node=self.context.node, volumes=found))


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


class ExportHandler(_AgentHandler):
    """POST: the contents of one of the account's volumes here, as a tar stream."""

    async def post(self) -> None:
        """Stream ``application/x-tar``; 404 when the volume is not here or not the account's.

        A stream that cannot be finished is cut off: the receiver sees it broken.
        """
        request = self.body(ExportRequest)
        context = self.context
        try:
            owned, _foreign = await sort_claims(context.client, [request.volume], context.limit_s)
        except DockerUnavailableError as error:
            raise _unavailable(error) from error
        if not owned:
            raise web.HTTPError(HTTPStatus.NOT_FOUND, "no such volume of the account here")
        name = request.volume.name
        held = holding(
            context.client, name, image=request.image, labels=context.labels, read_only=True
        )
        container = await _engine(context, held.__enter__)
        try:
            chunks = await _engine(context, read_volume, context.client, container)
            self.set_header("Content-Type", "application/x-tar")
            sent = 0
            while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
                self.write(chunk)
                await self.flush()
                sent += len(chunk)
            log.info("sent the volume %s to another node (%d bytes)", name, sent)
        finally:
            await asyncio.to_thread(held.__exit__, None, None, None)


class ImportHandler(_AgentHandler):
    """POST: make one of the account's volumes here from another node's copy; stream progress."""

    # Seconds between two progress lines.
    PROGRESS_INTERVAL_S = 1.0

    async def post(self) -> None:
        """Stream :class:`CopyProgress` lines; 409 before any when a volume of the name is here.

        A copy that fails leaves no volume behind.
        """
        request = self.body(ImportRequest)
        context = self.context
        claim = request.volume
        if request.labels.get(OWNER_LABEL) != claim.owner:
            raise web.HTTPError(HTTPStatus.BAD_REQUEST, "the labels must name the claim's owner")
        try:
            owned, foreign = await sort_claims(context.client, [claim], context.limit_s)
        except DockerUnavailableError as error:
            raise _unavailable(error) from error
        if owned or foreign:
            raise web.HTTPError(
                HTTPStatus.CONFLICT,
                f"a volume named {claim.name} is on this node already; it is not replaced",
            )
        await _engine(context, context.client.api.create_volume, claim.name, labels=request.labels)
        self.set_header("Content-Type", "application/x-ndjson")
        archive = self._incoming(request)
        copy = asyncio.ensure_future(asyncio.to_thread(self._copy, request, archive))
        while not copy.done():
            await asyncio.wait([copy], timeout=self.PROGRESS_INTERVAL_S)
            if not copy.done():
                await self._progress(CopyProgress(copied_bytes=archive.copied_bytes))
        try:
            copy.result()
        except (CopyError, docker.errors.DockerException) as error:
            log.warning("the copy of %s failed: %s", claim.name, error)
            await self._remove_volume(claim.name)
            await self._progress(CopyProgress(copied_bytes=archive.copied_bytes, error=str(error)))
        else:
            log.info("received the volume %s (%d bytes)", claim.name, archive.copied_bytes)
            await self._progress(CopyProgress(copied_bytes=archive.copied_bytes, done=True))
        self.finish()

    def _incoming(self, request: ImportRequest) -> IncomingArchive:
        context = self.context
        source = request.source
        host = f"[{source}]" if source.version == 6 else str(source)  # noqa: PLR2004
        return IncomingArchive(
            f"http://{host}:{context.port}{EXPORT_PATH}",
            ExportRequest(volume=request.volume, image=request.image).model_dump_json(),
            {SECRET_HEADER: bearer(context.secret)},
            idle_s=context.copy_idle_s,
        )

    def _copy(self, request: ImportRequest, archive: IncomingArchive) -> None:
        # In a worker thread: the fetch and the engine's unpacking both block.
        context = self.context
        with holding(
            context.client,
            request.volume.name,
            image=request.image,
            labels=context.labels,
            read_only=False,
        ) as container:
            write_volume(context.client, container, archive)

    async def _progress(self, line: CopyProgress) -> None:
        self.write(line.model_dump_json() + "\n")
        await self.flush()

    async def _remove_volume(self, name: str) -> None:
        try:
            await _engine(self.context, self.context.client.api.remove_volume, name, force=True)
        except (DockerUnavailableError, docker.errors.DockerException) as error:
            log.warning("the partial copy %s stays on this node: %s", name, error)


async def _engine(context: AgentContext, function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return await call_engine(context.limit_s, function, *args, **kwargs)
    except DockerUnavailableError as error:
        raise _unavailable(error) from error
    except docker.errors.APIError as error:
        raise web.HTTPError(
            HTTPStatus.CONFLICT, f"the engine refused: {error.explanation}"
        ) from error


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
        (USER_VOLUMES_PATH, UserVolumesHandler, {"context": context}),
        (REMOVE_PATH, RemoveHandler, {"context": context}),
        (MEASURE_PATH, MeasureHandler, {"context": context}),
        (EXPORT_PATH, ExportHandler, {"context": context}),
        (IMPORT_PATH, ImportHandler, {"context": context}),
        (r".*", _NotServed, {"context": context}),
    ]
    return web.Application(routes, default_handler_class=None, compress_response=False)
