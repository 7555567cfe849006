"""Tell the grant recorder who calls JupyterHub's REST API, request by request.

JupyterHub has no hook that sees both the authenticated caller and a change
of group membership. Its API handlers (groups, and the admin page, which
edits groups through them) are swapped in the hub's router for subclasses
that, once JupyterHub has authenticated the request, set
:data:`stellars_docker.grants.ACTING_GRANTER` to the caller: a token acts as
its owner limited by its own scopes, so a group-filtered admin token is not a
full admin even when its owner is.
"""

from __future__ import annotations

from typing import Any

from jupyterhub.apihandlers.base import APIHandler

from stellars_docker.grants import ACTING_GRANTER, Granter, is_full_admin

_JUPYTERHUB_API = "jupyterhub.apihandlers."


def granter_of(handler: Any) -> Granter | None:
    """Return who *handler*'s authenticated request acts as, None when anonymous."""
    caller = handler.current_user
    if caller is None:
        return None
    kind = getattr(caller, "kind", "user")
    name = caller.name if kind == "user" else f"{kind}:{caller.name}"
    return Granter(name, full_admin=is_full_admin(handler.expanded_scopes))


class _SetsGranter:
    async def prepare(self) -> None:
        await super().prepare()  # type: ignore[misc]
        ACTING_GRANTER.set(granter_of(self))


def capture_granters(application: Any) -> int:
    """Make JupyterHub's API handlers in *application* set the acting granter; return how many.

    *application* is the hub's ``tornado.web.Application``; only routes whose
    handler is one of JupyterHub's own REST API handlers change. A second
    call changes nothing more.
    """
    swapped = 0
    made: dict[Any, type] = {}  # one subclass per handler class, however many routes use it
    for rule in application.wildcard_router.rules:
        target: Any = rule.target
        if (
            isinstance(target, type)
            and issubclass(target, APIHandler)
            and not issubclass(target, _SetsGranter)
            and target.__module__.startswith(_JUPYTERHUB_API)
        ):
            if target not in made:
                made[target] = type(target.__name__, (_SetsGranter, target), {})
            rule.target = made[target]
            swapped += 1
    return swapped
