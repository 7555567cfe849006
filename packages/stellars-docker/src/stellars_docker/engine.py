"""Calling the Docker SDK without blocking the hub's event loop.

The SDK is synchronous; every call goes to a worker thread with a deadline,
and the SDK's connection failures become :class:`DockerUnavailableError`,
so that callers handle one error type for "the engine is not there".
"""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import docker.errors
import requests.exceptions

from stellars_docker.errors import DockerUnavailableError

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Executor

P = ParamSpec("P")
T = TypeVar("T")

# What the SDK raises when the engine is down, slow or failing.
_UNAVAILABLE = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    docker.errors.DockerException,
)


async def call_engine(
    limit_s: float, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Return ``function(*args, **kwargs)`` run in the loop's default thread pool, within *limit_s*.

    ``docker.errors.NotFound`` and ``docker.errors.APIError`` with a 4xx
    status pass through unchanged: they are answers, not an absent engine.

    Raises:
        DockerUnavailableError: the engine did not answer in time, refused the
            connection, or failed with a server error.
    """
    return await call_engine_in(None, limit_s, function, *args, **kwargs)


async def call_engine_in(
    executor: Executor | None,
    limit_s: float,
    function: Callable[P, T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Like :func:`call_engine`, in *executor*'s threads (the loop's default pool for None).

    For callers that make many slow calls at once (stats take a second or
    two each), so that they neither wait for nor starve the default pool.

    Raises:
        DockerUnavailableError: as :func:`call_engine`.
    """
    loop = asyncio.get_running_loop()
    call = functools.partial(function, *args, **kwargs)
    try:
        return await asyncio.wait_for(loop.run_in_executor(executor, call), limit_s)
    except TimeoutError as error:
        raise DockerUnavailableError(
            f"the Docker engine did not answer within {limit_s}s"
        ) from error
    except docker.errors.APIError as error:
        if error.is_client_error():
            raise
        raise DockerUnavailableError(f"the Docker engine failed: {error.explanation}") from error
    except _UNAVAILABLE as error:
        raise DockerUnavailableError(f"the Docker engine is unreachable: {error}") from error
