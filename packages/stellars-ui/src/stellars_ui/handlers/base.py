"""What the platform's handlers share: the context, scope checks, bodies and answers as models."""

from __future__ import annotations

from datetime import UTC
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar, overload

from jupyterhub.apihandlers import APIHandler
from jupyterhub.scopes import has_scope
from tornado import web

from stellars_ui.context import PlatformContext, platform_context
from stellars_ui.errors import http_status_of
from stellars_ui.json_body import BodyError
from stellars_ui.models.common import Contract, dump, parse_body

if TYPE_CHECKING:
    from datetime import datetime

    from stellars_docker import DockerRuntime
    from stellars_docker.policy import PolicySettings

ModelT = TypeVar("ModelT", bound=Contract)


class PlatformHandler(web.RequestHandler):
    """A handler of the platform, pages and API alike: it works with the hub's context."""

    @property
    def platform(self) -> PlatformContext:
        """The platform's parts, as configure() built them for this hub.

        Raises:
            PlatformContextMissingError: the hub was given none; a hub set up
                by ``stellars_hub.configure`` refuses to start in that case,
                so a request meets this only on a hub assembled by hand.
        """
        return platform_context(self.settings)


class StellarsAPIHandler(PlatformHandler, APIHandler):  # type: ignore[misc]
    """An API handler whose errors are JSON ``{"status", "message"}`` with the right code."""

    @property
    def docker_runtime(self) -> DockerRuntime:
        """The Docker side of the platform, as configure() built it.

        Raises:
            tornado.web.HTTPError: 501 on a hub whose servers are not containers
                (the local spawner): there are no volumes or containers to act on.
        """
        runtime = self.platform.docker
        if runtime is None:
            raise web.HTTPError(
                HTTPStatus.NOT_IMPLEMENTED,
                "This hub's servers are not Docker containers: there are no volumes "
                "or containers to act on.",
            )
        return runtime

    @property
    def policy_settings(self) -> PolicySettings:
        """The default group policy and how quotas are enforced, as configure() set them.

        Raises:
            tornado.web.HTTPError: 501 on a hub without group policies (no
                stellars-docker installed: Kubernetes).
        """
        policy = self.platform.policy
        if policy is None:
            raise web.HTTPError(
                HTTPStatus.NOT_IMPLEMENTED, "This hub has no group policies (no stellars-docker)."
            )
        return policy

    def require_user_scope(self, scope: str, user_name: str) -> None:
        """Refuse with 403 unless the caller holds *scope* on *user_name*.

        JupyterHub's ``needs_scope`` answers 404 when the scope is missing for
        that user; the platform answers 403, to everyone who lacks the scope,
        whether *user_name* exists or not, so that the code says nothing about
        who has an account.

        Raises:
            tornado.web.HTTPError: 403.
        """
        if self.current_user is None:
            raise web.HTTPError(HTTPStatus.FORBIDDEN, "Missing or invalid credentials.")
        if not has_scope(f"{scope}!user={user_name}", self.parsed_scopes, db=self.db):
            raise web.HTTPError(
                HTTPStatus.FORBIDDEN, f"Requires the {scope!r} scope on user {user_name!r}."
            )

    def require_scope(self, scope: str) -> None:
        """Refuse with 403 unless the caller holds the unfiltered *scope*.

        Raises:
            tornado.web.HTTPError: 403.
        """
        if self.current_user is None:
            raise web.HTTPError(HTTPStatus.FORBIDDEN, "Missing or invalid credentials.")
        if not self.has_scope(scope):
            raise web.HTTPError(HTTPStatus.FORBIDDEN, f"Requires the {scope!r} scope.")

    def target_user(self, user_name: str) -> Any:
        """Return the hub's user *user_name*.

        Raises:
            tornado.web.HTTPError: 404 when there is no such user.
        """
        user = self.find_user(user_name)
        if user is None:
            raise web.HTTPError(HTTPStatus.NOT_FOUND, f"No such user: {user_name!r}.")
        return user

    def body(self, model: type[ModelT]) -> ModelT:
        """Return the request body read as *model* (an empty body reads as ``{}``).

        The size and nesting limits of :mod:`stellars_ui.json_body` apply
        before the model sees the body.

        Raises:
            tornado.web.HTTPError: 413 for a body over the size cap, 400 for
                one the model refuses (the message names each field at fault).
        """
        try:
            return parse_body(model, self.request.body)
        except BodyError as error:
            raise web.HTTPError(error.status, "%s", str(error)) from None

    def answer(self, model: Contract) -> None:
        """Finish with *model* as JSON: every answer is built, so checked, by its model."""
        self.finish(dump(model))

    def _handle_request_exception(self, e: BaseException) -> None:
        # Domain packages raise their own errors; this is the one place that
        # turns them into HTTP answers (instead of an HTML 500). Tornado reads
        # the error to render from sys.exc_info(), so the HTTPError is raised
        # and handled here rather than just passed on.
        status = http_status_of(e)
        if status is None:
            super()._handle_request_exception(e)
            return
        try:
            raise web.HTTPError(status, "%s", str(e)) from e  # noqa: TRY301 - see above
        except web.HTTPError as http_error:
            super()._handle_request_exception(http_error)


@overload
def isoformat_utc(moment: datetime) -> str: ...
@overload
def isoformat_utc(moment: datetime | None) -> str | None: ...
def isoformat_utc(moment: datetime | None) -> str | None:
    """Return *moment* as ISO 8601 with ``+00:00`` (JupyterHub's naive times are UTC), or None."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def missing_permission(scope: str) -> web.HTTPError:
    """Return the 403 a page raises for a caller without *scope*: what is missing, who grants it.

    JupyterHub's error page shows the message, so the reader learns which
    permission the page needs and whom to ask, not just "Forbidden".
    """
    return web.HTTPError(
        HTTPStatus.FORBIDDEN,
        "This page needs the %r permission, which your account does not hold. A hub "
        "admin can grant it: every hub admin holds it (Admin page, Edit user, Admin), "
        "or a role of its own can give it to you alone.",
        scope,
    )
