"""Every hub admin is a platform admin: the platform's scopes follow JupyterHub's admin flag.

A user made admin at runtime (``PATCH /hub/api/users/{name}``, what the admin
page sends) reaches Notifications, Settings and the credentials API the admin
page's passphrase dialog reads; cleared, they lose them; both survive a
restart of the hub on the same database (SQLite and PostgreSQL). A user who
lacks the permission gets a page that names it and says who grants it.
"""

import pytest
import requests
from accounts import local_platform, signed_up, user_token

from stellars_testing import HubSession
from stellars_testing.hub import stop_hub

ADMIN = "boss"
PASSWORD = "platform-admins-passphrase"
LOCAL = {
    **local_platform(ADMIN, PASSWORD),
    "JUPYTERHUB_SIGNUP_ENABLED": "1",
}
PROMOTED = "raised-later"
PROMOTED_PASSWORD = "raised-later-passphrase"


# The PostgreSQL case asks for its database at run time: its mark says its layer.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


def _reach(hub):
    """Return the codes PROMOTED gets from Notifications, Settings and the credentials API.

    The pages through a browser session (JupyterHub takes no token on pages),
    the API, which the admin page's passphrase dialog reads, with a token.
    """
    person = HubSession(hub)
    assert "/hub/home" in person.log_in(PROMOTED, PROMOTED_PASSWORD).url
    pages = [
        person.get(hub.hub_url(page), allow_redirects=False, timeout=30).status_code
        for page in ("notifications", "settings")
    ]
    credentials = requests.post(
        hub.hub_url("api/admin/credentials"),
        headers={"Authorization": f"token {user_token(hub, PROMOTED)}"},
        json={"usernames": ["nobody-at-all"]},
        timeout=30,
    )
    return [*pages, credentials.status_code]


def _set_admin(hub, admin_token, flag):
    response = hub.api("PATCH", f"users/{PROMOTED}", token=admin_token, json={"admin": flag})
    assert response.status_code == 200, response.text
    assert response.json()["admin"] is flag


def test_a_user_made_admin_at_runtime_is_a_platform_admin_until_cleared(platform_hub, db_url):
    hub = platform_hub(LOCAL, db_url=db_url)
    admin_token = user_token(hub, ADMIN)
    signed_up(hub, PROMOTED, PROMOTED_PASSWORD, ADMIN, PASSWORD)
    assert _reach(hub) == [403, 403, 403]

    _set_admin(hub, admin_token, True)
    assert _reach(hub) == [200, 200, 200]
    stop_hub(hub)
    hub = platform_hub(LOCAL, db_url=db_url)
    assert _reach(hub) == [200, 200, 200], hub.log_tail()

    admin_token = user_token(hub, ADMIN)
    _set_admin(hub, admin_token, False)
    assert _reach(hub) == [403, 403, 403]
    stop_hub(hub)
    hub = platform_hub(LOCAL, db_url=db_url)
    assert _reach(hub) == [403, 403, 403], hub.log_tail()


def test_a_refused_page_names_the_permission_and_who_grants_it(platform_hub, tmp_path):
    hub = platform_hub(LOCAL, db_url=f"sqlite:///{tmp_path / 'hub.sqlite'}")
    person = signed_up(hub, "plain", "plain-user-passphrase", ADMIN, PASSWORD)
    response = person.get(hub.hub_url("notifications"), allow_redirects=False, timeout=30)
    assert response.status_code == 403
    assert "text/html" in response.headers["Content-Type"]
    text = response.text.replace("&#39;", "'")
    assert "'custom:notifications:broadcast' permission" in text
    assert "A hub admin can grant it" in text
