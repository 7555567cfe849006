"""``/hub/api/notifications/...`` on a real hub, delivering into real local lab servers.

The local spawner runs ``jupyterhub-singleuser`` with the notifications
extension the lab image carries (installed in the test environment), so a
delivery goes through the real extension and the real hub-token check of a
single-user server. The Docker containers and the page are in
test_broadcast_on_docker.py.
"""

import pytest
import requests
from accounts import local_platform, logged_in, user_token
from hub_metrics import metric_samples
from hub_tokens import service_tokens

from stellars_testing import HubSession

ADMIN = "boss"
PASSWORD = "broadcast-api-passphrase"
LOCAL = {
    **local_platform(ADMIN, PASSWORD),
    "JUPYTERHUB_NOTIFICATIONS_TIMEOUT": "10",
    "JUPYTERHUB_NOTIFICATIONS_HISTORY": "3",
}
NOTIFICATIONS = "jupyterlab-notifications-extension/notifications"
DELIVERED = frozenset({("outcome", "delivered")})
NOT_RUNNING = frozenset({("outcome", "not running")})


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    return module_platform_hub(LOCAL)


@pytest.fixture(scope="module")
def labs(hub):
    """Two users with running lab servers, and a third whose server is stopped: name -> token."""
    tokens = {name: hub.create_user(name) for name in ("ada", "bo", "cy")}
    for name in ("ada", "bo"):
        hub.api("POST", f"users/{name}/server").raise_for_status()
    for name in ("ada", "bo"):
        hub.wait_for_server(name, running=True)
    return tokens


def broadcast(hub, token, body):
    return hub.api("POST", "notifications/broadcast", token=token, json=body)


def received(hub, name, token):
    """Drain what *name*'s lab received (the extension's queue empties on each read)."""
    response = HubSession(hub).get(
        hub.user_url(name, NOTIFICATIONS), headers={"Authorization": f"token {token}"}, timeout=30
    )
    assert response.status_code == 200, response.text
    return [entry["message"] for entry in response.json()["notifications"]]


def test_a_broadcast_reaches_running_labs_and_reports_everyone_else(hub, admin_token, labs):
    response = broadcast(
        hub,
        admin_token,
        {
            "message": "  Maintenance at 18:00, please save your work  ",
            "variant": "warning",
            "autoClose": False,
            "recipients": ["ada", "bo", "cy", "nobody-here"],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    outcomes = {r["username"]: (r["delivered"], r["reason"]) for r in body["results"]}
    assert outcomes == {
        "ada": (True, None),
        "bo": (True, None),
        "cy": (False, "not running"),
        "nobody-here": (False, "unknown user"),
    }
    assert body["totals"] == {"recipients": 4, "delivered": 2, "failed": 2}
    sent = body["broadcast"]
    assert sent["message"] == "Maintenance at 18:00, please save your work"
    assert (sent["sender"], sent["variant"], sent["autoClose"]) == (ADMIN, "warning", False)
    for name in ("ada", "bo"):
        assert received(hub, name, labs[name]) == ["Maintenance at 18:00, please save your work"]
    # The token it carried is gone from the hub's database.
    assert service_tokens(hub.db_url) == 0


def test_broadcasts_and_their_outcomes_are_counted_in_the_hubs_metrics(hub, admin_token, labs):
    def counts():
        samples = metric_samples(hub, admin_token)
        return (
            samples.get(("stellars_broadcasts_total", frozenset()), 0),
            samples.get(("stellars_broadcast_deliveries_total", DELIVERED), 0),
            samples.get(("stellars_broadcast_deliveries_total", NOT_RUNNING), 0),
        )

    before = counts()
    body = {"message": "Counted", "recipients": ["ada", "cy"]}
    assert broadcast(hub, admin_token, body).status_code == 200
    assert received(hub, "ada", labs["ada"]) == ["Counted"]
    after = counts()
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1]
    # Users by activity level, from the background refresh (every user is there).
    samples = metric_samples(hub, admin_token)
    by_level = {
        dict(labels)["level"]: value
        for (name, labels), value in samples.items()
        if name == "stellars_activity_users"
    }
    assert set(by_level) == {"inactive", "low", "moderate", "high", "very_high", "no_data"}
    assert sum(by_level.values()) >= 1


def test_without_recipients_every_running_server_gets_it(hub, admin_token, labs):
    response = broadcast(hub, admin_token, {"message": "Hello everyone", "variant": "info"})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert sorted((r["username"], r["server_name"], r["delivered"]) for r in results) == [
        ("ada", "", True),
        ("bo", "", True),
    ]
    assert received(hub, "ada", labs["ada"]) == ["Hello everyone"]
    assert received(hub, "bo", labs["bo"]) == ["Hello everyone"]


def test_active_servers_lists_the_running_servers(hub, admin_token, labs):
    response = hub.api("GET", "notifications/active-servers", token=admin_token)
    assert response.status_code == 200, response.text
    servers = response.json()["servers"]
    assert [(s["username"], s["server_name"]) for s in servers] == [("ada", ""), ("bo", "")]
    assert all(s["started"].endswith("+00:00") for s in servers)
    assert all(s["last_activity"] is None or s["last_activity"].endswith("+00:00") for s in servers)


def test_the_history_keeps_the_newest_broadcasts_with_their_totals(hub, admin_token, labs):
    messages = [f"note {i}" for i in range(4)]
    for message in messages:
        response = broadcast(hub, admin_token, {"message": message, "recipients": ["cy"]})
        assert response.status_code == 200, response.text
    response = hub.api("GET", "notifications/history", token=admin_token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["keep"] == 3
    kept = body["broadcasts"]
    assert [b["message"] for b in kept] == ["note 3", "note 2", "note 1"]
    assert all((b["recipients"], b["delivered"], b["failed"]) == (1, 0, 1) for b in kept)
    assert all(b["sender"] == ADMIN and b["sent_at"].endswith("+00:00") for b in kept)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "message"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 141}, "message"),
        ({"message": 5}, "message"),
        ({"message": "hi", "variant": "loud"}, "variant"),
        ({"message": "hi", "autoClose": True}, "autoClose"),
        ({"message": "hi", "autoClose": -5}, "autoClose"),
        ({"message": "hi", "autoClose": "5000"}, "autoClose"),
        ({"message": "hi", "recipients": "ada"}, "recipients"),
        ({"message": "hi", "recipients": []}, "recipients"),
        ({"message": "hi", "recipients": [1]}, "recipients"),
        ({"message": "hi", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_body_gets_a_400_naming_the_field_and_sends_nothing(
    hub, admin_token, labs, body, field
):
    before = hub.api("GET", "notifications/history", token=admin_token).json()["broadcasts"]
    response = broadcast(hub, admin_token, body)
    assert response.status_code == 400, response.text
    assert response.json()["status"] == 400
    assert field in response.json()["message"]
    after = hub.api("GET", "notifications/history", token=admin_token).json()["broadcasts"]
    assert after == before
    assert received(hub, "ada", labs["ada"]) == []


def test_a_body_that_is_not_a_json_object_gets_a_400(hub, admin_token):
    for raw in (b"not json", b"[1, 2]"):
        response = hub.api("POST", "notifications/broadcast", token=admin_token, data=raw)
        assert response.status_code == 400, response.text


def test_without_the_broadcast_scope_nothing_is_listed_sent_or_shown(hub, admin_token, labs):
    token = labs["cy"]
    for method, path in (
        ("GET", "notifications/active-servers"),
        ("POST", "notifications/broadcast"),
        ("GET", "notifications/history"),
    ):
        response = hub.api(method, path, token=token, json={"message": "hi"})
        assert response.status_code == 403, (path, response.text)
        assert "custom:notifications:broadcast" in response.json()["message"]
    # The page: an admin sees it (and its link); a user without the scope gets a 403.
    admin = logged_in(hub, ADMIN, PASSWORD)
    page = admin.get(hub.hub_url("notifications"), timeout=30)
    assert page.status_code == 200
    assert 'href="/stellars-test/hub/notifications"' in admin.get(hub.hub_url("home")).text
    credentials = hub.api(
        "POST", "admin/credentials", token=admin_token, json={"usernames": ["cy"]}
    )
    (entry,) = credentials.json()["credentials"]
    user = HubSession(hub)
    user.log_in("cy", entry["password"])
    assert user.get(hub.hub_url("notifications"), timeout=30).status_code == 403
    assert "hub/notifications" not in user.get(hub.hub_url("home")).text


def test_everyone_with_no_server_running_is_a_409(platform_hub):
    hub = platform_hub(LOCAL)
    token = user_token(hub, ADMIN)
    response = broadcast(hub, token, {"message": "anyone?"})
    assert response.status_code == 409, response.text
    assert "no server is running" in response.json()["message"]
    assert hub.api("GET", "notifications/history", token=token).json()["broadcasts"] == []


def kept_ids(hub, token):
    response = hub.api("GET", "notifications/history", token=token)
    assert response.status_code == 200, response.text
    return [b["id"] for b in response.json()["broadcasts"]]


def test_deleting_a_history_entry_removes_that_one_and_an_unknown_id_is_a_404(
    hub, admin_token, labs
):
    for message in ("keep me", "delete me"):
        response = broadcast(hub, admin_token, {"message": message, "recipients": ["cy"]})
        assert response.status_code == 200, response.text
    newest, older, *rest = kept_ids(hub, admin_token)

    response = hub.api("DELETE", f"notifications/history/{newest}", token=admin_token)
    assert response.status_code == 200, response.text
    assert response.json() == {"deleted": newest}
    assert kept_ids(hub, admin_token) == [older, *rest]

    # Gone now, never there, or no id at all: nothing else is touched.
    for unknown in (str(newest), "999999", "0", "-1", "1.0", "abc", "9" * 40):
        response = hub.api("DELETE", f"notifications/history/{unknown}", token=admin_token)
        assert response.status_code == 404, (unknown, response.text)
        assert response.json() == {
            "status": 404,
            "message": "No such broadcast in the history.",
        }
    assert kept_ids(hub, admin_token) == [older, *rest]


def test_deleting_a_history_entry_needs_the_scope_and_with_a_cookie_the_xsrf_token(
    hub, admin_token, labs
):
    response = broadcast(hub, admin_token, {"message": "guarded", "recipients": ["cy"]})
    entry = response.json()["broadcast"]["id"]
    path = f"notifications/history/{entry}"

    refused = hub.api("DELETE", path, token=labs["cy"])
    assert refused.status_code == 403, refused.text
    assert "custom:notifications:broadcast" in refused.json()["message"]
    anonymous = HubSession(hub).delete(hub.hub_url(f"api/{path}"), timeout=30)
    assert anonymous.status_code == 403, anonymous.text
    # A body, when sent, must be an empty object: nothing in it can widen the delete.
    extra = hub.api("DELETE", path, token=admin_token, json={"all": True})
    assert extra.status_code == 400, extra.text

    # The hub's own port, which every lab container reaches, checks the same.
    for token in (labs["cy"], None):
        headers = {"Authorization": f"token {token}"} if token else {}
        direct = requests.delete(hub.direct_hub_url(f"api/{path}"), headers=headers, timeout=30)
        assert direct.status_code == 403, direct.text

    person = logged_in(hub, ADMIN, PASSWORD)
    without = person.delete(hub.hub_url(f"api/{path}"), timeout=30)
    assert without.status_code == 403, without.text
    assert "_xsrf" in without.json()["message"]
    assert entry in kept_ids(hub, admin_token)
    xsrf = person.cookies.get("_xsrf")
    assert xsrf, "the hub set no _xsrf cookie"
    accepted = person.delete(hub.hub_url(f"api/{path}"), headers={"X-XSRFToken": xsrf}, timeout=30)
    assert accepted.status_code == 200, accepted.text
    assert entry not in kept_ids(hub, admin_token)
