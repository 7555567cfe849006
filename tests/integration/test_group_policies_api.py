"""The group-policy API on a real hub, through the proxy and the hub's own port.

``/hub/api/stellars/group-policies[/{group}]`` lists, reads, writes and
deletes a hub group's policy; ``/hub/api/users/{name}/effective-policy``
shows what a user's groups merge into and where each value came from. The
local spawner is enough: the policies, revisions and the merge are the
hub's database's; the Docker layer's tests check what a spawn makes of them.
"""

import pytest
import requests
from accounts import local_platform, logged_in, user_token

ADMIN = "boss"
PASSWORD = "group-policies-passphrase"
LOCAL = local_platform(ADMIN, PASSWORD)
EDITOR = "policy-editor"  # holds only the two custom scopes, through a role
EDITOR_SCOPES = ["custom:group-policies:read", "custom:group-policies:write"]
MEMBER = "ada"  # in vision and course
OUTSIDER = "bo"  # in no group
EXTRA = f"""
c.JupyterHub.load_groups = {{
    "docker-sock": {{}},
    "docker-privileged": {{}},
    "vision": {{"users": [{MEMBER!r}]}},
    "course": {{"users": [{MEMBER!r}, {OUTSIDER!r}]}},
    "empty": {{}},
}}
c.JupyterHub.load_roles.append(
    {{"name": "policy-editors", "scopes": {EDITOR_SCOPES!r}, "users": [{EDITOR!r}]}}
)
"""
GIB = 1024**3


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    return module_platform_hub(LOCAL, EXTRA)


@pytest.fixture(scope="module")
def tokens(hub):
    return {
        "admin": user_token(hub, ADMIN),
        "editor": user_token(hub, EDITOR, EDITOR_SCOPES),
        MEMBER: user_token(hub, MEMBER),
        OUTSIDER: user_token(hub, OUTSIDER),
    }


def call(hub, method, path, token, body=None, *, direct=False):
    url = (hub.direct_hub_url if direct else hub.hub_url)(f"api/{path}")
    return requests.request(
        method, url, headers={"Authorization": f"token {token}"}, json=body, timeout=30
    )


def put(hub, token, group, policy, revision=None):
    body = {"policy": policy} if revision is None else {"policy": policy, "revision": revision}
    return call(hub, "PUT", f"stellars/group-policies/{group}", token, body)


def entry(hub, token, group):
    response = call(hub, "GET", f"stellars/group-policies/{group}", token)
    assert response.status_code == 200, response.text
    return response.json()


def effective(hub, token, user, **options):
    response = call(hub, "GET", f"users/{user}/effective-policy", token, **options)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def clean(hub, tokens):
    """Delete every policy the test stored, whatever it did."""
    yield
    for group in ("vision", "course", "empty", "docker-sock", "docker-privileged"):
        call(hub, "DELETE", f"stellars/group-policies/{group}", tokens["admin"])


def test_every_hub_group_is_listed_by_name_with_members_and_built_ins(hub, tokens):
    response = call(hub, "GET", "stellars/group-policies", tokens["admin"])
    assert response.status_code == 200, response.text
    listed = response.json()
    groups = {group["name"]: group for group in listed["groups"]}
    assert [group["name"] for group in listed["groups"]] == sorted(groups)
    assert {"course", "docker-privileged", "docker-sock", "empty", "vision"} <= set(groups)
    assert groups["course"]["members"] == 2
    assert groups["empty"]["members"] == 0
    assert groups["empty"]["policy"] is None
    assert groups["empty"]["revision"] == 0
    # A built-in group is a policy with its fixed access, stored or not.
    assert groups["docker-sock"]["builtin"] is True
    assert groups["docker-sock"]["policy"]["docker_access"] == "socket"
    assert groups["docker-sock"]["docker_access_counts"] is True
    assert groups["docker-privileged"]["policy"]["docker_access"] == "privileged"
    assert listed["gpus"] == []
    assert listed["gpus_available"] is False
    assert listed["default_policy"]["priority"] == 0


def test_a_policy_is_stored_read_and_deleted_with_revisions(hub, tokens, clean):
    admin = tokens["admin"]
    policy = {"cpu_limit": 2, "mem_limit": "4G", "max_servers": 2, "priority": 5}
    first = put(hub, admin, "course", policy, revision=0)
    assert first.status_code == 200, first.text
    stored = first.json()
    assert stored["revision"] == 1
    assert stored["updated_by"] == ADMIN
    assert stored["policy"]["mem_limit"] == 4 * GIB  # answered in bytes
    assert stored["policy"]["cpu_limit"] == 2.0
    assert entry(hub, admin, "course") == stored

    # Someone else saved in between: the stale editor gets 409 and nothing changes.
    assert put(hub, admin, "course", {"cpu_limit": 3}, revision=1).status_code == 200
    stale = put(hub, admin, "course", {"cpu_limit": 8}, revision=1)
    assert stale.status_code == 409, stale.text
    assert stale.json()["status"] == 409
    assert "revision 2, not 1" in stale.json()["message"]
    assert entry(hub, admin, "course")["policy"]["cpu_limit"] == 3.0

    deleted = call(hub, "DELETE", "stellars/group-policies/course", admin)
    assert deleted.json() == {"group": "course", "deleted": True}
    after = entry(hub, admin, "course")
    assert (after["policy"], after["revision"], after["updated_by"]) == (None, 0, None)
    again = call(hub, "DELETE", "stellars/group-policies/course", admin)
    assert again.json() == {"group": "course", "deleted": False}


@pytest.mark.parametrize(
    ("policy", "named"),
    [
        pytest.param({"cpu_limit": "2"}, "policy.cpu_limit", id="text-for-number"),
        pytest.param({"mem_limit": "4X"}, "policy.mem_limit", id="bad-size"),
        pytest.param({"cpu_guarantee": 4, "cpu_limit": 2}, "cpu_guarantee", id="above-limit"),
        pytest.param({"admin": True}, "Unknown field 'policy.admin'", id="unknown-field"),
        pytest.param({"gpus": ["0"]}, "gpus: 0 is not a GPU of this hub", id="gpu-not-here"),
        pytest.param(
            {"environment": [{"name": "JUPYTERHUB_API_TOKEN", "value": "x"}]},
            "JUPYTERHUB_API_TOKEN is set by the hub",
            id="reserved-variable",
        ),
        pytest.param(
            {"environment": [{"name": "KEY", "value": None, "secret": True}]},
            "the secret KEY has no stored value",
            id="secret-never-given",
        ),
        pytest.param({"docker_access": "root"}, "policy.docker_access", id="bad-access"),
        pytest.param({"default_profile": "big"}, "default_profile 'big'", id="no-such-profile"),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_stored(hub, tokens, clean, policy, named):
    admin = tokens["admin"]
    assert put(hub, admin, "vision", {"cpu_limit": 1}).status_code == 200
    response = put(hub, admin, "vision", policy)
    assert response.status_code == 400, response.text
    assert response.json()["status"] == 400
    assert named in response.json()["message"]
    kept = entry(hub, admin, "vision")
    assert (kept["revision"], kept["policy"]["cpu_limit"]) == (1, 1.0)


def test_an_unknown_group_is_404_for_holders_and_403_for_others(hub, tokens):
    path = "stellars/group-policies/no-such-group"
    for method, body in (("GET", None), ("PUT", {"policy": {}}), ("DELETE", None)):
        assert call(hub, method, path, tokens["admin"], body).status_code == 404
        assert call(hub, method, path, tokens["editor"], body).status_code == 404
        assert call(hub, method, path, tokens[OUTSIDER], body).status_code == 403


def test_profiles_need_containers_on_a_hub_of_local_servers(hub, tokens):
    profile = {"name": "big", "display_name": "Big", "image": "quay.io/jupyter/base:1"}
    response = put(hub, tokens["admin"], "empty", {"profiles": [profile]})
    assert response.status_code == 501, response.text
    assert entry(hub, tokens["admin"], "empty")["revision"] == 0


def test_a_built_in_groups_access_cannot_change_and_survives_a_delete(hub, tokens, clean):
    admin = tokens["admin"]
    refused = put(hub, admin, "docker-sock", {"docker_access": "privileged"})
    assert refused.status_code == 400, refused.text
    assert "docker-sock is a built-in group" in refused.json()["message"]
    stored = put(hub, admin, "docker-sock", {"mem_limit": "2G"})
    assert stored.status_code == 200, stored.text
    assert stored.json()["policy"]["docker_access"] == "socket"
    assert stored.json()["policy"]["mem_limit"] == 2 * GIB
    call(hub, "DELETE", "stellars/group-policies/docker-sock", admin).raise_for_status()
    after = entry(hub, admin, "docker-sock")
    assert after["policy"]["docker_access"] == "socket"
    assert after["docker_access_counts"] is True


def test_secrets_are_never_answered_and_a_null_keeps_the_stored_one(hub, tokens, clean):
    admin = tokens["admin"]
    secret = "s3cret-value-of-vision"
    variables = [
        {"name": "TEAM", "value": "vision"},
        {"name": "KEY", "value": secret, "secret": True},
    ]
    stored = put(hub, admin, "vision", {"environment": variables})
    assert stored.status_code == 200, stored.text
    assert {"name": "KEY", "value": None, "secret": True} in stored.json()["policy"]["environment"]
    before = effective(hub, tokens[MEMBER], MEMBER)
    for text in (
        stored.text,
        call(hub, "GET", "stellars/group-policies", admin).text,
        call(hub, "GET", "stellars/group-policies/vision", admin).text,
        call(hub, "GET", f"users/{MEMBER}/effective-policy", admin).text,
    ):
        assert secret not in text
    assert {"name": "KEY", "value": None, "secret": True} in before["policy"]["environment"]

    # The page saves what it was shown: the secret null. The stored value stays
    # (the fingerprint covers the secret's value: it would change otherwise).
    variables[1]["value"] = None
    assert put(hub, admin, "vision", {"environment": variables}).status_code == 200
    assert effective(hub, tokens[MEMBER], MEMBER)["fingerprint"] == before["fingerprint"]
    variables[1]["value"] = "another"
    assert put(hub, admin, "vision", {"environment": variables}).status_code == 200
    assert effective(hub, tokens[MEMBER], MEMBER)["fingerprint"] != before["fingerprint"]


def test_a_delegated_writers_docker_access_does_not_count(hub, tokens, clean):
    editor, admin = tokens["editor"], tokens["admin"]
    written = put(hub, editor, "vision", {"docker_access": "socket", "cpu_limit": 1})
    assert written.status_code == 200, written.text
    assert written.json()["updated_by"] == EDITOR
    assert written.json()["docker_access_counts"] is False
    assert effective(hub, admin, MEMBER)["policy"]["docker_access"] == "none"

    assert put(hub, admin, "vision", {"docker_access": "socket"}).json()["docker_access_counts"]
    # The editor changes something else: the full admin's grant stands.
    kept = put(hub, editor, "vision", {"docker_access": "socket", "cpu_limit": 2})
    assert kept.json()["docker_access_counts"] is True
    # The editor raises the access: it no longer counts.
    raised = put(hub, editor, "vision", {"docker_access": "privileged"})
    assert raised.json()["docker_access_counts"] is False
    assert effective(hub, admin, MEMBER)["policy"]["docker_access"] == "none"


def test_a_member_of_several_groups_sees_the_merge_and_each_values_group(hub, tokens, clean):
    admin = tokens["admin"]
    vision = {
        "priority": 10,
        "cpu_limit": 2,
        "mem_limit": "8G",
        "environment": [{"name": "TEAM", "value": "vision"}],
    }
    course = {
        "cpu_limit": 4,
        "mem_limit": "2G",
        "environment": [{"name": "TEAM", "value": "course"}, {"name": "LEVEL", "value": "1"}],
    }
    assert put(hub, admin, "vision", vision).status_code == 200
    assert put(hub, admin, "course", course).status_code == 200
    seen = effective(hub, tokens[MEMBER], MEMBER)
    assert seen["user"] == MEMBER
    assert seen["groups"] == ["vision", "course"]  # priority first
    assert seen["policy"]["cpu_limit"] == 4.0
    assert seen["sources"]["cpu_limit"] == "course"  # the most generous
    assert seen["policy"]["mem_limit"] == 8 * GIB
    assert seen["sources"]["mem_limit"] == "vision"
    variables = {variable["name"]: variable["value"] for variable in seen["policy"]["environment"]}
    assert variables == {"TEAM": "vision", "LEVEL": "1"}  # the higher priority wins
    assert seen["sources"]["environment.TEAM"] == "vision"
    assert seen["sources"]["environment.LEVEL"] == "course"
    assert seen["servers"] == []
    # The same answer on the hub's own port, which every lab reaches.
    assert effective(hub, tokens[MEMBER], MEMBER, direct=True) == seen


@pytest.mark.parametrize("direct", [False, True], ids=["proxy", "hub-port"])
def test_who_may_read_and_write_the_same_through_proxy_and_hub_port(hub, tokens, direct):
    def code(method, path, token, body=None):
        return call(hub, method, path, token, body, direct=direct).status_code

    mine = f"users/{MEMBER}/effective-policy"
    assert code("GET", mine, tokens[MEMBER]) == 200
    assert code("GET", mine, tokens[OUTSIDER]) == 403
    assert code("GET", mine, tokens["admin"]) == 200
    assert code("GET", "users/nobody-at-all/effective-policy", tokens[OUTSIDER]) == 403
    assert code("GET", "users/nobody-at-all/effective-policy", tokens["admin"]) == 404
    for token in (tokens[MEMBER], tokens[OUTSIDER]):
        assert code("GET", "stellars/group-policies", token) == 403
        assert code("GET", "stellars/group-policies/course", token) == 403
        assert code("PUT", "stellars/group-policies/course", token, {"policy": {}}) == 403
        assert code("DELETE", "stellars/group-policies/course", token) == 403
    assert entry(hub, tokens["admin"], "course")["revision"] == 0
    assert code("GET", "stellars/group-policies", tokens["editor"]) == 200


def test_a_cookie_write_needs_the_xsrf_token(hub, clean):
    person = logged_in(hub, ADMIN, PASSWORD)
    url = hub.hub_url("api/stellars/group-policies/empty")
    refused = person.put(url, json={"policy": {"cpu_limit": 1}}, timeout=30)
    assert refused.status_code == 403, refused.text
    assert "_xsrf" in refused.json()["message"]
    xsrf = person.cookies.get("_xsrf")
    assert xsrf, "the hub set no _xsrf cookie"
    accepted = person.put(
        url, json={"policy": {"cpu_limit": 1}}, headers={"X-XSRFToken": xsrf}, timeout=30
    )
    assert accepted.status_code == 200, accepted.text
    removed = person.delete(url, headers={"X-XSRFToken": xsrf}, timeout=30)
    assert removed.json() == {"group": "empty", "deleted": True}


def test_a_body_over_the_cap_or_too_deep_is_refused(hub, tokens):
    path = "stellars/group-policies/empty"
    variables = [{"name": f"V{index}", "value": "x" * 4000} for index in range(20)]
    big = call(hub, "PUT", path, tokens["admin"], {"policy": {"environment": variables}})
    assert big.status_code == 413, big.text
    deep = call(hub, "PUT", path, tokens["admin"], {"policy": {"a": [[[[[[[[1]]]]]]]]}})
    assert deep.status_code == 400, deep.text
    assert entry(hub, tokens["admin"], "empty")["revision"] == 0


# The PostgreSQL case asks for its database at run time: its mark says its layer.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


def test_the_store_round_trip_on_each_database(platform_hub, db_url):
    hub = platform_hub(LOCAL, EXTRA, db_url=db_url)
    admin = user_token(hub, ADMIN)
    policy = {
        "mem_limit": "1G",
        "gpus": 2,
        "environment": [{"name": "KEY", "value": "k", "secret": True}],
        "volume_quota": "10G",
        "volume_warning_percent": 80,
    }
    stored = put(hub, admin, "course", policy, revision=0)
    assert stored.status_code == 200, stored.text
    assert put(hub, admin, "course", {**policy, "cpu_limit": 1.5}, revision=1).status_code == 200
    read = entry(hub, admin, "course")
    assert read["revision"] == 2
    assert read["updated_at"].endswith("+00:00")
    assert read["policy"]["gpus"] == 2
    assert read["policy"]["volume_quota"] == 10 * GIB
    assert read["policy"]["environment"] == [{"name": "KEY", "value": None, "secret": True}]
    assert put(hub, admin, "course", {}, revision=1).status_code == 409
    assert effective(hub, admin, OUTSIDER)["policy"]["volume_warning_percent"] == 80
    deleted = call(hub, "DELETE", "stellars/group-policies/course", admin)
    assert deleted.json() == {"group": "course", "deleted": True}
