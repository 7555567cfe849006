"""``GET /hub/api/activity`` pages, searches, filters and sorts; ``/export`` writes files.

On a real hub through the proxy, with the local spawner: a started server is
"active", the others "offline"; figures the local spawner lacks (CPU, volumes,
quota) are covered by the listing's unit tests and test_quota_on_docker.py.
"""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import requests
from accounts import local_platform, user_token

from stellars_activity import ActivitySettings, ActivityStore
from stellars_testing import HubSession

ADMIN = "lister"
PASSWORD = "activity-listing-passphrase"
PAGED = {"Accept": "application/jupyterhub-pagination+json"}
# Names a spreadsheet or a browser would act on: the username policy is opened
# up for them, as an installation with older accounts may have such names.
#
# The hub samples every user once at its start (before the module makes its
# users) and then at each multiple of the interval on the clock: at the
# default 600 s, a boundary that fell between two requests of the sort test
# gave the users without data a sample (run ci15). A day's interval leaves
# the module's data to the tests.
ENVIRON = {
    **local_platform(ADMIN, PASSWORD),
    "JUPYTERHUB_USERNAME_PATTERN": r"[^/]+",
    "JUPYTERHUB_ACTIVITYMON_SAMPLE_INTERVAL": "86400",
}
PREFIX = "pg-"
NAMES = [f"{PREFIX}{n:02d}" for n in range(7)]
FORMULA = "=1+2"
MARKUP = "<script>alert(1)<"


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    hub = module_platform_hub(ENVIRON)
    created = hub.api("POST", "users", json={"usernames": [*NAMES, FORMULA, MARKUP]})
    assert created.status_code == 201, created.text
    return hub


@pytest.fixture(scope="module")
def scored(hub):
    """Give pg-00..pg-04 samples (pg-04 the busiest); pg-05 and pg-06 have none."""
    store = ActivityStore(hub.db_url, ActivitySettings())
    try:
        for name in NAMES:
            store.delete_user(name)
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        for step in range(36):
            at = now - timedelta(minutes=10 * (step + 1))
            store.record_tick({name: step % (5 - i) == 0 for i, name in enumerate(NAMES[:5])}, at)
    finally:
        store.engine.dispose()


def get(hub, path, token, headers=PAGED, **params):
    """GET ``/hub/api/<path>`` with *token* and *headers* (the harness's ``api`` sets its own)."""
    return requests.get(
        hub.hub_url(f"api/{path}"),
        params=params,
        headers={**headers, "Authorization": f"token {token}"},
        timeout=60,
        verify=hub.verify,
    )


def activity(hub, token, headers=PAGED, **params):
    response = get(hub, "activity", token, headers, **params)
    assert response.status_code == 200, response.text
    return response.json()


def items(body):
    return [row["username"] for row in body["items"]]


def test_pages_follow_jupyterhubs_limit_offset_and_envelope(hub, admin_token):
    first = activity(hub, admin_token, name=PREFIX, limit=3)
    assert items(first) == NAMES[:3]
    paging = first["_pagination"]
    assert (paging["offset"], paging["limit"], paging["total"]) == (0, 3, 7)
    assert (paging["next"]["offset"], paging["next"]["limit"]) == (3, 3)
    # The next page's URL is followed as it is given.
    following = requests.get(
        paging["next"]["url"],
        headers={**PAGED, "Authorization": f"token {admin_token}"},
        timeout=30,
    )
    assert following.status_code == 200, following.text
    assert items(following.json()) == NAMES[3:6]
    last = activity(hub, admin_token, name=PREFIX, limit=3, offset=6)
    assert items(last) == NAMES[6:]
    assert last["_pagination"]["next"] is None
    assert activity(hub, admin_token, name=PREFIX, offset=50)["items"] == []


def test_limits_are_jupyterhubs_default_and_maximum(hub, admin_token):
    core = get(hub, "users", admin_token).json()["_pagination"]
    assert activity(hub, admin_token)["_pagination"]["limit"] == core["limit"] == 50
    assert activity(hub, admin_token, limit=100_000)["_pagination"]["limit"] == 200
    assert activity(hub, admin_token, limit=0)["_pagination"]["limit"] == 1


def test_without_the_paging_media_type_the_answer_keeps_its_shape(hub, admin_token):
    body = activity(hub, admin_token, headers={}, name=PREFIX, limit=2, offset=1)
    assert set(body) == {"timestamp", "settings", "summary", "users"}
    assert [row["username"] for row in body["users"]] == NAMES[1:3]
    everyone = activity(hub, admin_token, headers={})
    assert len(everyone["users"]) == everyone["summary"]["total"]


def test_search_is_a_case_insensitive_part_of_the_name(hub, admin_token):
    assert items(activity(hub, admin_token, name="PG-0")) == NAMES
    assert items(activity(hub, admin_token, name="g-06")) == ["pg-06"]
    assert items(activity(hub, admin_token, name="nobody-has-this")) == []


def test_the_summary_counts_every_readable_user_whatever_the_page(hub, admin_token):
    total = len(hub.api("GET", "users", token=admin_token).json())
    body = activity(hub, admin_token, name="g-06", limit=1)
    assert body["summary"]["total"] == total
    assert body["_pagination"]["total"] == 1


def test_sort_by_activity_puts_the_busiest_first_and_no_data_last(hub, admin_token, scored):
    down = items(activity(hub, admin_token, name=PREFIX, sort="activity", order="desc"))
    up = items(activity(hub, admin_token, name=PREFIX, sort="activity", order="asc"))
    assert down[:5] == ["pg-04", "pg-03", "pg-02", "pg-01", "pg-00"]
    assert up[:5] == ["pg-00", "pg-01", "pg-02", "pg-03", "pg-04"]
    assert down[5:] == up[5:] == ["pg-05", "pg-06"]
    # A page of the sorted list is that slice of it.
    page = activity(hub, admin_token, name=PREFIX, sort="activity", order="desc", limit=2, offset=1)
    assert items(page) == down[1:3]
    assert items(activity(hub, admin_token, name=PREFIX, sort="username", order="desc")) == list(
        reversed(NAMES)
    )
    history = items(activity(hub, admin_token, name=PREFIX, sort="history", order="desc"))
    assert history[0] == "pg-04"


def test_state_filters_follow_servers_and_approval(hub, admin_token):
    name = NAMES[5]
    hub.api("POST", f"users/{name}/server").raise_for_status()
    hub.wait_for_server(name, running=True)
    try:
        assert items(activity(hub, admin_token, name=PREFIX, state="active")) == [name]
        assert items(activity(hub, admin_token, name=PREFIX, state="idle")) == []
        offline = items(activity(hub, admin_token, name=PREFIX, state="offline"))
        assert offline == [n for n in NAMES if n != name]
        first = items(activity(hub, admin_token, name=PREFIX, sort="status", order="desc"))
        assert first[0] == name
    finally:
        hub.api("DELETE", f"users/{name}/server")
        hub.wait_for_server(name, running=False)

    assert items(activity(hub, admin_token, name=PREFIX, state="pending")) == []
    admin = HubSession(hub)
    admin.log_in(ADMIN, PASSWORD)
    assert admin.authorize(NAMES[6], "unauthorize").ok
    try:
        pending = activity(hub, admin_token, name=PREFIX, state="pending")
        assert items(pending) == [NAMES[6]]
        assert pending["items"][0]["authorized"] is False
    finally:
        assert admin.authorize(NAMES[6]).ok
    # The local spawner measures no volume: nobody is over quota.
    assert items(activity(hub, admin_token, state="over_quota")) == []


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"state": "away"}, "state"),
        ({"sort": "password"}, "sort"),
        ({"order": "up"}, "order"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "1e3"}, "offset"),
        ({"name": "x" * 256}, "name"),
        ({"names": "pg"}, "names"),  # a misspelt parameter is not ignored
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(hub, admin_token, params, named):
    # The export takes every parameter but the paging ones.
    paths = ["activity"] if named in {"limit", "offset"} else ["activity", "activity/export"]
    for path in paths:
        response = get(hub, path, admin_token, **params)
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["status"] == 400
        assert body["message"].startswith(named), body


def test_an_unknown_export_format_is_refused(hub, admin_token):
    response = hub.api("GET", "activity/export", token=admin_token, params={"format": "pdf"})
    assert response.status_code == 400
    assert response.json()["message"].startswith("format")


def test_a_user_reads_only_their_own_row_whatever_they_ask(hub):
    token = user_token(hub, NAMES[2])
    body = activity(hub, token, name=PREFIX)
    assert items(body) == [NAMES[2]]
    assert body["summary"]["total"] == 1
    assert items(activity(hub, token, name=NAMES[3])) == []
    exported = hub.api("GET", "activity/export", token=token, params={"format": "csv"})
    lines = list(csv.reader(io.StringIO(exported.text)))
    assert [line[0] for line in lines[1:]] == [NAMES[2]]


def test_csv_export_is_an_attachment_with_formulas_neutralised(hub, admin_token):
    response = hub.api(
        "GET", "activity/export", token=admin_token, params={"format": "csv", "sort": "username"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/csv")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="activity-')
    assert disposition.endswith('.csv"')
    lines = list(csv.reader(io.StringIO(response.text)))
    names = [line[0] for line in lines[1:]]
    assert f"'{FORMULA}" in names
    assert FORMULA not in names
    assert set(NAMES) <= set(names)
    filtered = hub.api(
        "GET", "activity/export", token=admin_token, params={"name": "pg-0", "state": "offline"}
    )
    assert [line[0] for line in csv.reader(io.StringIO(filtered.text))][1:] == NAMES


def test_html_export_is_one_inert_document(hub, admin_token):
    response = hub.api("GET", "activity/export", token=admin_token, params={"format": "html"})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Content-Disposition"].endswith('.html"')
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    document = response.text
    assert MARKUP not in document
    assert "&lt;script&gt;alert(1)&lt;" in document
    assert "<script" not in document.lower()
    assert "http://" not in document
    assert "https://" not in document


def test_the_hubs_own_port_asks_for_the_same_credentials(hub, admin_token):
    """Lab containers reach the hub's port without the proxy: no way around the scope there."""
    for path in ("activity?limit=1", "activity/export?format=html"):
        url = hub.direct_hub_url(f"api/{path}")
        anonymous = requests.get(url, timeout=30, verify=hub.verify)
        assert anonymous.status_code == 403, anonymous.text
        assert anonymous.json()["status"] == 403
        plain = requests.get(
            url,
            headers={"Authorization": f"token {user_token(hub, NAMES[1])}"},
            timeout=30,
            verify=hub.verify,
        )
        assert plain.status_code == 200
        assert NAMES[2] not in plain.text
        assert NAMES[1] in plain.text


def test_a_token_filtered_to_a_group_or_a_user_reads_those_rows_only(hub, admin_token):
    """The listing reads the scope's filters in SQL: the same rows as JupyterHub's own check."""
    hub.api("POST", "groups/listing-team", json={"users": [NAMES[1], NAMES[4]]}).raise_for_status()
    try:
        group_token = user_token(hub, ADMIN, ["read:users:activity!group=listing-team"])
        body = activity(hub, group_token)
        assert items(body) == [NAMES[1], NAMES[4]]
        assert body["summary"]["total"] == 2
        user_token_ = user_token(
            hub, ADMIN, [f"read:users:activity!user={NAMES[3]}", "read:users:activity!user=nobody"]
        )
        assert items(activity(hub, user_token_, sort="activity", order="desc")) == [NAMES[3]]
    finally:
        hub.api("DELETE", "groups/listing-team")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def hub_database(request):
    """The hub's own database: the harness's SQLite file, or a real PostgreSQL database."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres_db_url")


def test_pages_by_name_and_by_score_agree_on_both_databases(platform_hub, hub_database):
    """The database pages plain name order itself; a search is paged in Python: one order."""
    own = platform_hub(ENVIRON, db_url=hub_database)
    # PostgreSQL's usual collations ignore punctuation ("a-c" between "ab" and "ad").
    names = ["ad", "a-c", "ab", "a.b", "a_a", "b0", "a0"]
    assert own.api("POST", "users", json={"usernames": names}).status_code == 201
    token = user_token(own, ADMIN)
    everyone = sorted([*names, ADMIN])
    pages = [items(activity(own, token, limit=3, offset=start)) for start in (0, 3, 6)]
    assert [name for page in pages for name in page] == everyone
    searched = items(activity(own, token, name="", state="offline", limit=50))
    assert searched == everyone
    down = items(activity(own, token, order="desc", limit=50))
    assert down == everyone[::-1]
    body = activity(own, token, limit=2)
    assert body["summary"]["total"] == len(everyone)
    assert body["_pagination"]["total"] == len(everyone)
