"""Sign-up rules and the failed-login lockout, through the real forms of a real hub."""

import textwrap

import pytest

from stellars_testing import HubSession

ADMIN = "admin"
ADMIN_PASSWORD = "safety-admin-secret"
PASSWORD = "a-long-enough-passphrase"

# The lockout is the login throttle's: its hub checks passwords at an installation's cost.
pytestmark = pytest.mark.real_password_cost


@pytest.fixture(scope="module")
def hub(module_hub_factory):
    return module_hub_factory(
        textwrap.dedent(f"""
            c.JupyterHub.authenticator_class = "stellars"
            c.JupyterHub.spawner_class = "simple"
            c.Authenticator.admin_users = {{{ADMIN!r}}}
            c.Authenticator.allow_all = True
            c.StellarsNativeAuthenticator.initial_admin_password = {ADMIN_PASSWORD!r}
            c.StellarsNativeAuthenticator.lockout_failures = 3
            c.StellarsNativeAuthenticator.lockout_seconds = 600
        """)
    )


@pytest.fixture(scope="module")
def admin(hub):
    session = HubSession(hub)
    session.log_in(ADMIN, ADMIN_PASSWORD)
    return session


def _logged_in(response):
    return response.status_code == 200 and "/hub/login" not in response.url


def _has_account(admin, username):
    return f'data-username="{username}"' in admin.get(admin.hub.hub_url("authorize")).text


@pytest.mark.parametrize(
    ("username", "password"),
    [
        pytest.param("shorty", "2short", id="under-eight-characters"),
        pytest.param("commoner", "password123", id="a-common-password"),
    ],
)
def test_weak_passwords_are_refused_at_sign_up(hub, admin, username, password):
    response = HubSession(hub).sign_up(username, password)
    assert "at least 8 characters" in response.text
    assert not _has_account(admin, username)


def test_nobody_signs_up_under_the_admins_name(hub, admin):
    response = HubSession(hub).sign_up(ADMIN, PASSWORD)
    assert "already in use" in response.text
    assert _logged_in(HubSession(hub).log_in(ADMIN, ADMIN_PASSWORD))


def test_a_user_changes_their_password_with_the_current_one(hub, admin):
    person = HubSession(hub)
    person.sign_up("chang", PASSWORD).raise_for_status()
    admin.authorize("chang").raise_for_status()
    assert _logged_in(person.log_in("chang", PASSWORD))
    new = "another-long-passphrase"
    wrong = person.submit_form(
        "change-password",
        {"old_password": "not-it", "new_password": new, "new_password_confirmation": new},
    )
    assert "current password was incorrect" in wrong.text
    weak = person.submit_form(
        "change-password",
        {"old_password": PASSWORD, "new_password": "short", "new_password_confirmation": "short"},
    )
    assert "at least 8 characters" in weak.text
    done = person.submit_form(
        "change-password",
        {"old_password": PASSWORD, "new_password": new, "new_password_confirmation": new},
    )
    assert "changed successfully" in done.text
    assert _logged_in(HubSession(hub).log_in("chang", new))
    assert not _logged_in(HubSession(hub).log_in("chang", PASSWORD))


def test_failures_lock_the_address_and_forged_addresses_do_not_escape(hub, admin):
    person = HubSession(hub)
    person.sign_up("locky", PASSWORD).raise_for_status()
    admin.authorize("locky").raise_for_status()
    for _ in range(3):
        assert not _logged_in(HubSession(hub).log_in("locky", "a-wrong-guess-here"))
    # Locked: even the right password is refused from this address...
    assert not _logged_in(HubSession(hub).log_in("locky", PASSWORD))
    # ...and claiming another address in a header the client controls changes nothing.
    for header in ("X-Real-Ip", "X-Forwarded-For"):
        forged = HubSession(hub)
        forged.headers[header] = "198.51.100.23"
        assert not _logged_in(forged.log_in("locky", PASSWORD))
    # Another account from the same address is not locked.
    assert _logged_in(HubSession(hub).log_in(ADMIN, ADMIN_PASSWORD))
