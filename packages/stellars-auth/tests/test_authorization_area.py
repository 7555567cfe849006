"""The authorization area on a real hub: POST forms with XSRF; GET links change nothing."""

import textwrap

import pytest
import requests
from jupyterhub import orm

from stellars_auth import StellarsNativeAuthenticator
from stellars_testing import HubSession
from stellars_testing.hub import stop_hub

ADMIN = "admin"
ADMIN_PASSWORD = "area-admin-secret"
PASSWORD = "a-long-enough-passphrase"


def _config(admin=ADMIN, password=ADMIN_PASSWORD):
    return textwrap.dedent(f"""
        c.JupyterHub.authenticator_class = "stellars"
        c.JupyterHub.spawner_class = "simple"
        c.Authenticator.admin_users = {{{admin!r}}}
        c.Authenticator.allow_all = True
        c.StellarsNativeAuthenticator.initial_admin_password = {password!r}
    """)


def _logged_in(response):
    return response.status_code == 200 and "/hub/login" not in response.url


@pytest.fixture(scope="module")
def hub(module_hub_factory):
    return module_hub_factory(_config())


@pytest.fixture(scope="module")
def admin(hub):
    session = HubSession(hub)
    assert _logged_in(session.log_in(ADMIN, ADMIN_PASSWORD))
    return session


def _signed_up(hub, username):
    person = HubSession(hub)
    assert person.sign_up(username, PASSWORD).status_code == 200
    return person


def _area(admin):
    page = admin.get(admin.hub.hub_url("authorize"), timeout=30)
    assert page.status_code == 200
    return page.text


def test_the_area_lists_pending_sign_ups_apart_from_authorised_users(hub, admin):
    _signed_up(hub, "waiting1")
    text = _area(admin)
    pending, authorized = text.split('id="stellars-authorized"')
    assert 'data-username="waiting1"' in pending
    assert f'data-username="{ADMIN}"' in authorized
    assert "Discard" in pending


def test_the_old_get_links_change_nothing(hub, admin):
    person = _signed_up(hub, "waiting2")
    admin.get(hub.hub_url("authorize/waiting2"), timeout=30)
    admin.get(hub.hub_url("discard/waiting2"), timeout=30)
    # Still there, still pending.
    assert "has not been authorized" in person.log_in("waiting2", PASSWORD).text


def test_authorize_and_unauthorize_are_posts_with_xsrf(hub, admin):
    person = _signed_up(hub, "waiting3")
    no_xsrf = admin.post(
        hub.hub_url("authorize/waiting3"), data={"action": "authorize"}, timeout=30
    )
    assert no_xsrf.status_code == 403
    assert not _logged_in(person.log_in("waiting3", PASSWORD))

    assert admin.authorize("waiting3").status_code == 200
    assert _logged_in(person.log_in("waiting3", PASSWORD))

    assert admin.authorize("waiting3", action="unauthorize").status_code == 200
    assert not _logged_in(HubSession(hub).log_in("waiting3", PASSWORD))


def test_a_bad_action_or_unknown_account_changes_nothing(hub, admin):
    _signed_up(hub, "waiting4")
    bad = admin.post_from("authorize", "authorize/waiting4", {"action": "delete"})
    assert bad.status_code == 400
    unknown = admin.post_from("authorize", "authorize/nobody-here", {"action": "authorize"})
    assert unknown.status_code == 404
    assert "has not been authorized" in HubSession(hub).log_in("waiting4", PASSWORD).text


def test_the_admin_cannot_be_unauthorised(hub, admin):
    refused = admin.authorize(ADMIN, action="unauthorize")
    assert refused.status_code == 409
    assert _logged_in(HubSession(hub).log_in(ADMIN, ADMIN_PASSWORD))


def test_discard_removes_a_pending_sign_up_only(hub, admin):
    _signed_up(hub, "waiting5")
    assert admin.post_from("authorize", "discard/waiting5", {}).status_code == 200
    assert 'data-username="waiting5"' not in _area(admin)
    # The name is free again.
    _signed_up(hub, "waiting5")
    assert 'data-username="waiting5"' in _area(admin)

    _signed_up(hub, "waiting6")
    admin.authorize("waiting6").raise_for_status()
    assert admin.post_from("authorize", "discard/waiting6", {}).status_code == 409
    assert 'data-username="waiting6"' in _area(admin)


def test_a_normal_user_cannot_use_the_area(hub, admin):
    person = _signed_up(hub, "waiting7")
    admin.authorize("waiting7").raise_for_status()
    person.log_in("waiting7", PASSWORD)
    assert person.get(hub.hub_url("authorize"), timeout=30).status_code in {403, 404}
    _signed_up(hub, "waiting8")
    area_page = person.get(hub.hub_url("home"), timeout=30)
    assert area_page.ok
    forged = person.post(
        hub.hub_url("authorize/waiting8"), data={"action": "authorize"}, timeout=30
    )
    assert forged.status_code == 403
    assert not _logged_in(HubSession(hub).log_in("waiting8", PASSWORD))


def test_nobody_signs_up_under_the_admins_name(hub_factory, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    first = hub_factory(_config(), db_url=db_url)
    # Someone signs up as "boss" while boss is nobody in particular...
    _signed_up(first, "boss")
    stop_hub(first)
    # ...then the operator makes boss the admin: the sign-up is not the admin's account.
    second = hub_factory(_config(admin="boss", password="the-operators-password"), db_url=db_url)
    assert not _logged_in(HubSession(second).log_in("boss", PASSWORD))
    assert _logged_in(HubSession(second).log_in("boss", "the-operators-password"))
    # And while boss is the admin, a sign-up under that name creates nothing.
    assert HubSession(second).sign_up("boss", "another-long-passphrase").status_code == 200
    assert _logged_in(HubSession(second).log_in("boss", "the-operators-password"))


def test_a_sign_up_under_an_admin_name_without_an_account_is_refused():
    # The database session JupyterHub hands its authenticator (a real, empty hub database).
    session = orm.new_session_factory("sqlite://")()
    authenticator = StellarsNativeAuthenticator(
        admin_users={"boss"}, enable_signup=True, _deprecated_db_session=session
    )
    assert authenticator.create_user("boss", "a-long-enough-passphrase") is None
    assert authenticator.get_user("boss") is None
    assert authenticator.create_user("someone", "a-long-enough-passphrase") is not None


def test_anonymous_requests_are_sent_to_log_in(hub):
    response = requests.post(hub.hub_url("authorize/admin"), data={"action": "x"}, timeout=30)
    assert response.status_code == 403
