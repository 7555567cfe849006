"""The Activity table's search, filters, sort and slice, case by case."""

from datetime import UTC, datetime

import pytest

from stellars_activity.listing import (
    Fact,
    ListedUser,
    ListingQuery,
    SortKey,
    SortOrder,
    StateFilter,
    select_page,
)

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def user(name, *, running=False, recent=False, authorized=True, **facts):
    return ListedUser(
        username=name,
        running=running,
        recently_active=recent,
        authorized=authorized,
        last_activity=facts.pop("last", None),
        **facts,
    )


USERS = [
    user("carol", running=True, recent=True, score=40.0, cpu_percent=5.0),
    user("Bob", running=True, recent=False, score=None, over_quota=True),
    user("alice", authorized=False, score=10.0, last=T0),
    user("dave", authorized=None, score=40.0, cpu_percent=50.0),
    user("erin-admin", score=0.0),
]


def names(page):
    return [u.username for u in page.users]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Names in code-point order (JupyterHub's are lower-case; "Bob" shows the rule).
        pytest.param(ListingQuery(), ["Bob", "alice", "carol", "dave", "erin-admin"], id="all"),
        pytest.param(ListingQuery(name="B"), ["Bob"], id="search-any-case"),
        pytest.param(ListingQuery(name="A"), ["alice", "carol", "dave", "erin-admin"], id="part"),
        pytest.param(ListingQuery(name="zed"), [], id="search-nobody"),
        pytest.param(ListingQuery(state=StateFilter.ACTIVE), ["carol"], id="active"),
        pytest.param(ListingQuery(state=StateFilter.IDLE), ["Bob"], id="idle"),
        pytest.param(
            ListingQuery(state=StateFilter.OFFLINE), ["alice", "dave", "erin-admin"], id="offline"
        ),
        pytest.param(ListingQuery(state=StateFilter.OVER_QUOTA), ["Bob"], id="over-quota"),
        # Unknown approval (no NativeAuthenticator record) is not "pending".
        pytest.param(ListingQuery(state=StateFilter.PENDING), ["alice"], id="pending"),
        pytest.param(
            ListingQuery(name="a", state=StateFilter.OFFLINE),
            ["alice", "dave", "erin-admin"],
            id="search-and-filter",
        ),
        # Ties (carol, dave at 40) keep the names' order in both directions;
        # Bob has no score and is last in both.
        pytest.param(
            ListingQuery(sort=SortKey.ACTIVITY, order=SortOrder.DESC),
            ["carol", "dave", "alice", "erin-admin", "Bob"],
            id="score-desc",
        ),
        pytest.param(
            ListingQuery(sort=SortKey.ACTIVITY),
            ["erin-admin", "alice", "carol", "dave", "Bob"],
            id="score-asc",
        ),
        pytest.param(
            ListingQuery(sort=SortKey.STATUS, order=SortOrder.DESC),
            ["carol", "Bob", "alice", "dave", "erin-admin"],
            id="status-desc",
        ),
        pytest.param(
            ListingQuery(sort=SortKey.AUTHORIZED),
            ["alice", "Bob", "carol", "erin-admin", "dave"],
            id="authorized-unknown-last",
        ),
        pytest.param(
            ListingQuery(sort=SortKey.USERNAME, order=SortOrder.DESC),
            ["erin-admin", "dave", "carol", "alice", "Bob"],
            id="name-desc",
        ),
        pytest.param(
            ListingQuery(sort=SortKey.LAST_ACTIVITY, order=SortOrder.DESC),
            ["alice", "Bob", "carol", "dave", "erin-admin"],
            id="never-active-last",
        ),
    ],
)
def test_search_filter_and_sort(query, expected):
    page = select_page(USERS, query)
    assert names(page) == expected
    assert page.total == len(expected)


def test_the_slice_follows_the_sort_and_total_counts_every_match():
    query = ListingQuery(sort=SortKey.ACTIVITY, order=SortOrder.DESC, offset=1, limit=2)
    page = select_page(USERS, query)
    assert names(page) == ["dave", "alice"]
    assert page.total == len(USERS)
    assert select_page(USERS, ListingQuery(offset=10, limit=2)).users == []


@pytest.mark.parametrize(
    ("query", "needed"),
    [
        (ListingQuery(), set()),
        (ListingQuery(name="x", state=StateFilter.PENDING, sort=SortKey.STATUS), set()),
        (ListingQuery(sort=SortKey.CPU), {Fact.USAGE}),
        (ListingQuery(sort=SortKey.VOLUMES), {Fact.USAGE}),
        (ListingQuery(state=StateFilter.OVER_QUOTA), {Fact.USAGE, Fact.QUOTA}),
        (ListingQuery(sort=SortKey.TIME_LEFT), {Fact.TIME_LEFT}),
        (ListingQuery(sort=SortKey.ACTIVITY), {Fact.SCORES}),
        (ListingQuery(sort=SortKey.HISTORY), {Fact.HISTORY}),
    ],
)
def test_only_what_the_filter_and_sort_use_is_gathered_for_everyone(query, needed):
    assert query.needs() == needed
