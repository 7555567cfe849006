"""The Activity table's query: its parameters read from a request, and the rows of a page.

Every readable user is known by cheap facts (server state from the hub's
memory, approval from one query); the costly ones (resources, quota, idle
time, scores, history) are gathered for every user only when the query sorts
or filters by them, and otherwise for the rows on the page alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, NamedTuple

from jupyterhub import orm
from jupyterhub.scopes import Scope
from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import selectinload
from tornado import web

from stellars_activity import ServerState, running_server, server_state
from stellars_activity.listing import (
    Fact,
    ListedUser,
    ListingQuery,
    SortKey,
    SortOrder,
    StateFilter,
    select_page,
)
from stellars_auth import authorization_states
from stellars_ui.handlers.base import isoformat_utc
from stellars_ui.models.activity import ActivityQuota, ActivityRow, ActivityVolume
from stellars_ui.scopes import READ_ACTIVITY

if TYPE_CHECKING:
    from collections.abc import Sequence

    from stellars_activity import ActivityReport
    from stellars_docker import UserUsage
    from stellars_docker.policy import AppliedPolicy, EffectivePolicy
    from stellars_ui.handlers.base import StellarsAPIHandler
    from stellars_ui.models.activity import LevelName

_MB = 1_000_000
_LEVEL_NAMES: tuple[LevelName, ...] = ("inactive", "low", "moderate", "high", "very high")
# A search longer than any username finds nobody; capped so a request stays small.
_MAX_NAME = 255
# Past this many names an ``IN (...)`` list costs more than reading every user's figures.
_MAX_NAMED_READ = 500
_ID_AND_NAME = 2
# The state of a user JupyterHub has no wrapper for: no server since the hub started.
_NO_SERVER = ServerState(running=False, pending=None, last_activity=None, recently_active=False)


def _choice(handler: StellarsAPIHandler, name: str, allowed: type[Any], default: Any) -> Any:
    value = handler.get_argument(name, None)
    if value is None:
        return default
    try:
        return allowed(value)
    except ValueError:
        choices = ", ".join(member.value for member in allowed)
        raise web.HTTPError(
            HTTPStatus.BAD_REQUEST, "%s", f"{name} must be one of {choices}, not {value!r}"
        ) from None


def _whole(handler: StellarsAPIHandler, name: str, default: int) -> int:
    value = handler.get_argument(name, None)
    if value is None:
        return default
    if not value.isascii() or not value.isdigit():
        raise web.HTTPError(
            HTTPStatus.BAD_REQUEST, "%s", f"{name} must be a whole number >= 0, not {value!r}"
        )
    return int(value)


_FILTERS = frozenset({"name", "state", "sort", "order"})
PAGE_PARAMETERS = _FILTERS | {"offset", "limit"}
EXPORT_PARAMETERS = _FILTERS | {"format"}
# JupyterHub reads its XSRF token from the query too.
_ALWAYS_ALLOWED = frozenset({"_xsrf"})


def refuse_unknown_parameters(handler: StellarsAPIHandler, allowed: frozenset[str]) -> None:
    """Refuse a query parameter the endpoint does not read, as a body's unknown field is.

    Raises:
        tornado.web.HTTPError: 400 naming the first unknown parameter.
    """
    unknown = sorted(set(handler.request.query_arguments) - allowed - _ALWAYS_ALLOWED)
    if unknown:
        raise web.HTTPError(HTTPStatus.BAD_REQUEST, "%s", f"{unknown[0]} is not a parameter here")


def filter_query(handler: StellarsAPIHandler) -> ListingQuery:
    """Return the search, filter and sort a request asks for (every user: no paging).

    Raises:
        tornado.web.HTTPError: 400 naming the parameter at fault.
    """
    name = handler.get_argument("name", "") or ""
    if len(name) > _MAX_NAME:
        raise web.HTTPError(
            HTTPStatus.BAD_REQUEST, "%s", f"name must be at most {_MAX_NAME} characters"
        )
    return ListingQuery(
        name=name,
        state=_choice(handler, "state", StateFilter, None),
        sort=_choice(handler, "sort", SortKey, SortKey.USERNAME),
        order=_choice(handler, "order", SortOrder, SortOrder.ASC),
    )


def page_query(handler: StellarsAPIHandler) -> ListingQuery:
    """Return :func:`filter_query` with the page's ``offset`` and ``limit``.

    The limits are JupyterHub's own (``api_page_default_limit``,
    ``api_page_max_limit``), read as its ``/hub/api/users`` reads them: a
    client that does not send the pagination media type gets the maximum
    by default, a limit above the maximum is the maximum, and 0 is 1.
    Unlike JupyterHub, a negative or non-numeric value is refused rather
    than read as its absolute value.

    Raises:
        tornado.web.HTTPError: 400 naming the parameter at fault.
    """
    query = filter_query(handler)
    maximum = int(handler.settings["api_page_max_limit"])
    default = int(handler.settings["api_page_default_limit"])
    if not handler.accepts_pagination:
        default = maximum
    limit = min(max(_whole(handler, "limit", default), 1), maximum)
    return ListingQuery(
        name=query.name,
        state=query.state,
        sort=query.sort,
        order=query.order,
        offset=_whole(handler, "offset", 0),
        limit=limit,
    )


@dataclass(frozen=True)
class StateCounts:
    """Every readable user counted by server state, for the summary."""

    total: int
    active: int
    idle: int


@dataclass(frozen=True)
class Listing:
    """A page of rows, how many matched, and every readable user counted by state."""

    rows: list[ActivityRow]
    total: int
    counts: StateCounts
    report: ActivityReport


async def activity_listing(handler: StellarsAPIHandler, query: ListingQuery) -> Listing:
    """Return the rows *query* selects among the users *handler*'s caller may read.

    Users are read as plain rows, never as ORM objects, and JupyterHub's
    user wrappers only where they exist already (a server that ran since
    the hub started has one). Without a search, a filter or another sort
    than the name, the database pages the names itself; otherwise every
    readable user becomes a :class:`ListedUser` for ``select_page``. Call it
    on the hub's event loop; the activity store's reads run in a thread.
    """
    monitor = handler.platform.activity
    readable = _readable_condition(handler)
    users = orm.User.__table__
    connection = handler.db.connection()
    readable_ids = (
        set()
        if readable is None
        else set(connection.execute(select(users.c.id).where(readable)).scalars())
    )
    # The wrappers JupyterHub holds already; indexing its UserDict would make
    # one (and a spawner row) for every user.
    wrappers = {
        wrapper.name: wrapper
        for user_id, wrapper in dict.items(handler.users)
        if user_id in readable_ids
    }
    now = monitor.now()
    states = {
        name: server_state(wrapper, inactive_after=monitor.inactive_after, now=now)
        for name, wrapper in wrappers.items()
    }
    running = [state for state in states.values() if state.running]
    active = sum(state.recently_active for state in running)
    counts = StateCounts(total=len(readable_ids), active=active, idle=len(running) - active)
    authorized = authorization_states(handler.authenticator) or {}
    if readable is None:
        page_accounts: list[Any] = []
        total = 0
    elif not query.name and query.state is None and query.sort is SortKey.USERNAME:
        page_accounts = _names_page(handler, readable, query)
        total = len(readable_ids)
    else:
        page_accounts, total = await _select(
            handler, readable, query, states=states, authorized=authorized, wrappers=wrappers
        )
    names = [account.name for account in page_accounts]
    report = await monitor.report(names, only=len(names) <= _MAX_NAMED_READ)
    orm_users = _orm_users(handler, [account.id for account in page_accounts])
    rows = await _rows(
        handler,
        orm_users,
        [wrappers.get(orm_user.name) for orm_user in orm_users],
        states,
        report=report,
        authorized=authorized,
    )
    return Listing(rows=rows, total=total, counts=counts, report=report)


def _readable_condition(handler: StellarsAPIHandler) -> ColumnElement[bool] | None:
    # The SQL form of JupyterHub's check_scope_filter for kind "user": the
    # whole table, or the users named and the members of the groups named;
    # None when the caller may read nobody.
    sub_scope = handler.parsed_scopes.get(READ_ACTIVITY)
    if sub_scope is None:
        return None
    if sub_scope is Scope.ALL:
        return true()
    users = orm.User.__table__
    conditions = []
    if "user" in sub_scope:
        conditions.append(users.c.name.in_(sorted(sub_scope["user"])))
    if "group" in sub_scope:
        groups = orm.Group.__table__
        members = (
            select(orm.user_group_map.c.user_id)
            .join(groups, groups.c.id == orm.user_group_map.c.group_id)
            .where(groups.c.name.in_(sorted(sub_scope["group"])))
        )
        conditions.append(users.c.id.in_(members))
    return or_(*conditions) if conditions else None


def _names_page(
    handler: StellarsAPIHandler, readable: ColumnElement[bool], query: ListingQuery
) -> list[Any]:
    # The order of select_page's name sort (code points): PostgreSQL's
    # default collation would ignore punctuation, so the "C" one is named.
    users = orm.User.__table__
    name = users.c.name
    if handler.db.get_bind().dialect.name == "postgresql":
        name = name.collate("C")
    order = name.desc() if query.order is SortOrder.DESC else name.asc()
    page = select(users.c.id, users.c.name).where(readable).order_by(order)
    page = page.offset(query.offset).limit(query.limit)
    return list(handler.db.connection().execute(page).all())


async def _select(
    handler: StellarsAPIHandler,
    readable: ColumnElement[bool],
    query: ListingQuery,
    *,
    states: dict[str, ServerState],
    authorized: dict[str, bool],
    wrappers: dict[str, Any],
) -> tuple[list[Any], int]:
    users = orm.User.__table__
    columns = select(users.c.id, users.c.name)
    if query.sort is SortKey.LAST_ACTIVITY:
        # Times come back from SQLite as text parsed per row: read only to sort by them.
        columns = columns.add_columns(users.c.last_activity)
    accounts = list(handler.db.connection().execute(columns.where(readable)).all())
    extra = await _costly_facts(handler, query.needs(), accounts, states, wrappers)
    everyone = []
    for account in accounts:
        name = account.name
        state = states.get(name, _NO_SERVER)
        last_activity = account.last_activity if len(account) > _ID_AND_NAME else None
        user = ListedUser(
            name, state.running, state.recently_active, authorized.get(name), last_activity
        )
        everyone.append(user._replace(**extra[name]) if extra else user)
    page = select_page(everyone, query)
    ids = {account.name: account.id for account in accounts}
    return [_Account(ids[user.username], user.username) for user in page.users], page.total


class _Account(NamedTuple):
    id: int
    name: str


def _orm_users(handler: StellarsAPIHandler, ids: Sequence[int]) -> list[Any]:
    """Return the hub's ORM users of *ids*, in that order."""
    found: dict[int, Any] = {}
    for start in range(0, len(ids), _MAX_NAMED_READ):
        chunk = ids[start : start + _MAX_NAMED_READ]
        # Their groups in the same round trip: the group policies read them for every row.
        query = handler.db.query(orm.User).options(selectinload(orm.User.groups))
        found.update((user.id, user) for user in query.filter(orm.User.id.in_(chunk)))
    return [found[user_id] for user_id in ids if user_id in found]


async def _costly_facts(
    handler: StellarsAPIHandler,
    needs: frozenset[Fact],
    accounts: list[Any],
    states: dict[str, ServerState],
    wrappers: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    if not needs:
        return {}
    facts: dict[str, dict[str, Any]] = {account.name: {} for account in accounts}
    monitor = handler.platform.activity
    if Fact.USAGE in needs:
        _add_usage(handler, needs, accounts, states, facts)
    if Fact.TIME_LEFT in needs:
        servers = [running_server(wrapper) for wrapper in wrappers.values()]
        running = [server for server in servers if server is not None]
        for name, left in (await handler.platform.idle.remaining(running)).items():
            facts[name]["time_left_seconds"] = left.total_seconds()
    if Fact.SCORES in needs:
        scores = await monitor.scores(facts)
        for name, fact in facts.items():
            fact["score"] = scores[name].score
    if Fact.HISTORY in needs:
        totals = await monitor.history_totals()
        for name, fact in facts.items():
            fact["history_hours"] = totals.get(name, 0.0)
    return facts


def _add_usage(
    handler: StellarsAPIHandler,
    needs: frozenset[Fact],
    accounts: list[Any],
    states: dict[str, ServerState],
    facts: dict[str, dict[str, Any]],
) -> None:
    platform = handler.platform
    if platform.docker is None:
        return  # the local spawner: no figures to sort or filter by
    # The engine is not asked: these are the refreshers' last figures, in memory.
    for name, usage in platform.docker.usage(list(facts)).items():
        stats = usage.stats if name in states and states[name].running else None
        facts[name]["cpu_percent"] = None if stats is None else stats.cpu_percent
        facts[name]["memory_bytes"] = None if stats is None else float(stats.memory_bytes)
        facts[name]["volumes_bytes"] = usage.volumes_total_bytes
    if Fact.QUOTA not in needs:
        return
    # Imported here: only a hub with Docker (so with stellars-docker) gets this far.
    from stellars_docker.policy import QuotaLevel, quota_state, user_policies  # noqa: PLC0415

    # Only a user with measured volumes can be over quota: the others' group
    # policies are never read.
    measured = _orm_users(
        handler, [a.id for a in accounts if facts[a.name].get("volumes_bytes") is not None]
    )
    policies = user_policies(handler.db, measured, handler.policy_settings)
    for orm_user in measured:
        level = quota_state(policies[orm_user.id], facts[orm_user.name]["volumes_bytes"]).level
        facts[orm_user.name]["over_quota"] = level is QuotaLevel.OVER


async def _rows(
    handler: StellarsAPIHandler,
    orm_users: Sequence[Any],
    users: Sequence[Any],
    states: dict[str, ServerState],
    *,
    report: ActivityReport,
    authorized: dict[str, bool],
) -> list[ActivityRow]:
    platform = handler.platform
    monitor = platform.activity
    names = [user.name for user in orm_users]
    runtime = platform.docker  # None with the local spawner
    usage = runtime.usage(names) if runtime is not None else {}
    # A user without a wrapper had no server since the hub started.
    running = [running_server(user) for user in users if user is not None]
    time_left = await platform.idle.remaining([server for server in running if server])
    columns = _policy_columns(handler, orm_users, users, usage)
    rows = []
    for orm_user, user in zip(orm_users, users, strict=True):
        left = time_left.get(orm_user.name)
        quota, outdated = columns.get(orm_user.id, (ActivityQuota.without_policies(), None))
        rows.append(
            _row(
                orm_user,
                state=states.get(orm_user.name, _NO_SERVER),
                report=report,
                usage=usage.get(orm_user.name),
                authorized=authorized.get(orm_user.name),
                days=monitor.settings.retention_days,
                time_left=None if left is None else left.total_seconds(),
                quota=quota,
                outdated=None if user is None else outdated,
            )
        )
    return rows


def _policy_columns(
    handler: StellarsAPIHandler,
    orm_users: Sequence[Any],
    users: Sequence[Any],
    usage: dict[str, UserUsage],
) -> dict[int, tuple[ActivityQuota, bool | None]]:
    # Each user's quota and whether a running server predates their policy, by
    # user id; empty on a hub without group policies (Kubernetes).
    settings = handler.platform.policy
    if settings is None:
        return {}
    # Imported here: a hub with group policies has stellars-docker; one without never imports it.
    from stellars_docker.policy import applied_policies, quota_state, user_policies  # noqa: PLC0415

    # Every group's policy read once for all the rows, not once per user.
    policies = user_policies(handler.db, orm_users, settings)
    applied = applied_policies(handler.db)
    columns = {}
    for orm_user, user in zip(orm_users, users, strict=True):
        policy = policies[orm_user.id]
        used = usage.get(orm_user.name)
        quota = quota_state(policy, None if used is None else used.volumes_total_bytes)
        outdated = None if user is None else _outdated(user, policy, applied)
        columns[orm_user.id] = (ActivityQuota.of(quota), outdated)
    return columns


def _row(
    orm_user: Any,
    *,
    state: ServerState,
    report: ActivityReport,
    usage: UserUsage | None,
    authorized: bool | None,
    days: int,
    time_left: float | None,
    quota: ActivityQuota,
    outdated: bool | None,
) -> ActivityRow:
    score = report.scores[orm_user.name]
    history = report.history.get(orm_user.name)
    stats = usage.stats if usage is not None and state.running else None
    return ActivityRow(
        username=orm_user.name,
        admin=bool(orm_user.admin),
        authorized=authorized,
        server_active=state.running,
        recently_active=state.recently_active,
        server_pending=state.pending,
        last_activity=isoformat_utc(orm_user.last_activity),
        cpu_percent=None if stats is None else stats.cpu_percent,
        memory_mb=None if stats is None else stats.memory_bytes / _MB,
        memory_percent=None if stats is None or usage is None else usage.memory_percent,
        memory_limit_mb=None if stats is None else stats.memory_limit_bytes / _MB,
        node=None if usage is None else usage.node,
        volumes=[]
        if usage is None
        else [
            ActivityVolume(suffix=v.suffix, name=v.name, size_bytes=v.size_bytes)
            for v in usage.volumes
        ],
        volumes_total_bytes=None if usage is None else usage.volumes_total_bytes,
        quota=quota,
        policy_outdated=outdated,
        # The idle culler's remaining time (the same rule as the culler); None without a culler.
        time_left_seconds=time_left,
        score=score.score,
        percentage=score.percentage,
        level=None if score.level is None else int(score.level),
        level_name=None if score.level is None else _LEVEL_NAMES[score.level],
        samples=score.samples,
        hours_collected=score.hours_collected,
        enough_data=score.enough_data,
        last_sample=isoformat_utc(score.last_sample),
        daily_hours=list(history) if history is not None else [0.0] * days,
    )


def _outdated(
    user: Any, policy: EffectivePolicy, applied: dict[tuple[int, str], AppliedPolicy]
) -> bool | None:
    # Whether any running server started under another policy than the user's now;
    # None when none runs or none was started through the policy hook.
    fingerprints = [
        applied[(user.id, name)].fingerprint
        for name, spawner in user.spawners.items()
        if spawner.active and (user.id, name) in applied
    ]
    if not fingerprints:
        return None
    current = policy.fingerprint()
    return any(fingerprint != current for fingerprint in fingerprints)
