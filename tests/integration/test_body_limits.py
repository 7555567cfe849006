"""Request bodies that would crash a parser get a 400, on every platform endpoint that reads one.

Reported: ``[`` x 5000 followed by ``]`` x 5000 (10 KB, well under the size
cap) sent to any platform JSON endpoint answered an HTML 500 with a
RecursionError in the hub's log. Each endpoint that reads a body is asked,
as the admin (so authorisation does not hide the parser), through the
proxy, with bodies nested too deep in each way JSON allows.
"""

import pytest
from accounts import local_platform

ADMIN = "boss"
PASSWORD = "body-limits-passphrase"
LOCAL = local_platform(ADMIN, PASSWORD)

# (method, path under /hub/api/): every platform endpoint that reads a body.
# manage-volumes reads its body before it asks for the Docker runtime, so
# this hub (local spawner) parses it; restart-server asks for the runtime
# first and answers 501, which the fuzz test already covers.
BODY_ENDPOINTS = [
    pytest.param("POST", f"users/{ADMIN}/extend-session", id="extend-session"),
    pytest.param("DELETE", f"users/{ADMIN}/manage-volumes", id="manage-volumes"),
    pytest.param("POST", "activity/reset", id="activity-reset"),
    pytest.param("POST", "activity/sample", id="activity-sample"),
    pytest.param("POST", "admin/credentials", id="credentials"),
    pytest.param("POST", "notifications/broadcast", id="broadcast"),
]

DEEP_BODIES = [
    pytest.param(b"[" * 5000 + b"]" * 5000, id="arrays-5000"),
    pytest.param(b'{"a":' * 3000 + b"1" + b"}" * 3000, id="objects-3000"),
    pytest.param(b'{"usernames":' + b"[" * 40 + b"]" * 40 + b"}", id="field-nested-40"),
    # Unbalanced: the parser would fail anyway, but only after recursing.
    pytest.param(b"[" * 20000, id="unclosed-20000"),
]


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    return module_platform_hub(LOCAL)


@pytest.mark.parametrize("body", DEEP_BODIES)
@pytest.mark.parametrize(("method", "path"), BODY_ENDPOINTS)
def test_a_body_nested_too_deep_is_refused_with_400(hub, admin_token, method, path, body):
    response = hub.api(method, path, token=admin_token, data=body)
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    answer = response.json()
    assert answer["status"] == 400
    assert "nested" in answer["message"]
    assert "RecursionError" not in hub.log_tail()


def test_nesting_inside_strings_does_not_count(hub, admin_token):
    # Brackets inside a string are text, not nesting: the body is taken, and
    # the broadcast gets as far as finding that no server runs on this hub.
    message = "[" * 40 + '"{' * 10
    response = hub.api(
        "POST",
        "notifications/broadcast",
        token=admin_token,
        json={"message": message, "variant": "info"},
    )
    assert response.status_code == 409, response.text
    assert "running" in response.json()["message"]
