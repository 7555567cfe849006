"""The managed-service sampler: polls the hub's REST API with its own token.

Its token needs two scopes: ``list:users`` (list every user, with their
names) and ``read:servers`` (each user's ``servers``, whose models carry
``ready``, ``pending`` and the server's ``last_activity``). The user's own
``last_activity`` (scope ``read:users:activity``) is never read, so that scope
is not needed. Every page of ``GET /users`` is followed, so every user gets a
sample.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from stellars_activity.sampling import active_now, record_sample
from stellars_core.scheduler import utc_now

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from stellars_activity.settings import ActivitySettings
    from stellars_activity.store import ActivityStore

REQUIRED_SCOPES = ("list:users", "read:servers")
PAGINATION_MEDIA_TYPE = "application/jupyterhub-pagination+json"


class HubApiError(RuntimeError):
    """The hub's API answered something the sampler cannot use (or could not be reached)."""


def active_from_user_model(
    model: Mapping[str, Any], *, now: datetime, inactive_after: timedelta
) -> bool:
    """Return whether a user of the REST API's user model is active at *now*.

    Reads the default server of ``model["servers"]``: running when ready with
    nothing pending, active when its ``last_activity`` is within
    *inactive_after*.

    Raises:
        HubApiError: the model has no ``servers`` (the token lacks ``read:servers``).
    """
    servers = model.get("servers")
    if not isinstance(servers, dict):
        raise HubApiError(
            f"user model of {model.get('name')!r} has no servers: "
            f"the sampler's token needs the scopes {', '.join(REQUIRED_SCOPES)}"
        )
    server = servers.get("")
    if not server:
        return False
    last = server.get("last_activity")
    return active_now(
        server_running=bool(server.get("ready")) and not server.get("pending"),
        last_activity=datetime.fromisoformat(last) if last else None,
        now=now,
        inactive_after=inactive_after,
    )


class HubApiSampler:
    """Sample every user of the hub through its REST API and record one aligned tick.

    *api_url* is the hub's API root (``JUPYTERHUB_API_URL``, e.g.
    ``http://127.0.0.1:8081/hub/api``); *token* carries the scopes of
    :data:`REQUIRED_SCOPES`. Everything is passed in: the class reads no
    environment.
    """

    def __init__(
        self,
        store: ActivityStore,
        settings: ActivitySettings,
        *,
        api_url: str,
        token: str,
        page_limit: int = 200,
        timeout_s: float = 30.0,
        http: requests.Session | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._api_url = api_url.rstrip("/")
        self._page_limit = page_limit
        self._timeout_s = timeout_s
        self._clock = clock
        self.interval = timedelta(minutes=settings.sample_interval_minutes)
        self.inactive_after = timedelta(minutes=settings.inactive_after_minutes)
        self._http = http or requests.Session()
        self._http.headers.update(
            {"Authorization": f"token {token}", "Accept": PAGINATION_MEDIA_TYPE}
        )

    def users(self) -> Iterator[dict[str, Any]]:
        """Yield every user model, page after page.

        Raises:
            HubApiError: a request failed or a page is not the paginated form.
        """
        offset: int | None = 0
        while offset is not None:
            try:
                response = self._http.get(
                    f"{self._api_url}/users",
                    params={"offset": offset, "limit": self._page_limit},
                    timeout=self._timeout_s,
                )
                response.raise_for_status()
                page = response.json()
            except (requests.RequestException, ValueError) as error:
                raise HubApiError(f"listing users at offset {offset} failed: {error}") from error
            if not isinstance(page, dict) or "items" not in page:
                raise HubApiError("the hub did not answer in the paginated form")
            yield from page["items"]
            following = (page.get("_pagination") or {}).get("next")
            offset = int(following["offset"]) if following else None

    def collect(self, now: datetime | None = None) -> dict[str, bool]:
        """Return ``{username: active}`` for every user of the hub.

        Raises:
            HubApiError: see :meth:`users` and :func:`active_from_user_model`.
        """
        moment = now or self._clock()
        return {
            str(model["name"]): active_from_user_model(
                model, now=moment, inactive_after=self.inactive_after
            )
            for model in self.users()
        }

    def tick(self, now: datetime | None = None) -> int:
        """Collect and record one tick at *now* floored to the interval; return rows written.

        Raises:
            HubApiError: the hub could not be read; nothing was recorded.
        """
        moment = now or self._clock()
        return record_sample(self._store, self.collect(moment), moment, self.interval)

    async def collect_in_thread(self, now: datetime) -> dict[str, bool]:
        """Return :meth:`collect` at *now*, its blocking HTTP calls made in a worker thread.

        Raises:
            HubApiError: see :meth:`collect`.
        """
        return await asyncio.to_thread(self.collect, now)
