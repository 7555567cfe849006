"""Login, sign-up and the admin's first password, on a real hub (JupyterHub 5 and 6)."""

import re
import textwrap

import pytest
from sqlalchemy import create_engine, text

from stellars_testing import HubSession
from stellars_testing.accounts import password_costs
from stellars_testing.hub import stop_hub
from stellars_testing.plugin import QUICK_PASSWORD_COST

ADMIN = "admin"
INITIAL_PASSWORD = "first-start-secret"


def _config(initial_password: str = "") -> str:
    # The authenticator is named by its entry point, as an operator would name it.
    return textwrap.dedent(f"""
        c.JupyterHub.authenticator_class = "stellars"
        c.JupyterHub.spawner_class = "simple"
        c.Authenticator.admin_users = {{{ADMIN!r}}}
        c.Authenticator.allow_all = True
        c.StellarsNativeAuthenticator.initial_admin_password = {initial_password!r}
    """)


def _logged_in(response) -> bool:
    return response.status_code == 200 and "/hub/login" not in response.url


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'shared.sqlite'}"


# One hub for the tests that start from a new installation and change nothing
# another of them reads (a hub start is about 3 s of CPU). The one refused
# login stays far below the admin's lockout threshold, and the sign-up's user
# is that test's own. The tests of a first start, a restart or a lost account
# start their own hubs on their own databases.
@pytest.fixture(scope="module")
def hub(module_hub_factory):
    return module_hub_factory(_config(INITIAL_PASSWORD))


def test_admin_logs_in_with_the_initial_password(hub):
    assert _logged_in(HubSession(hub).log_in(ADMIN, INITIAL_PASSWORD))


def test_passwords_are_hashed_at_the_configured_cost(hub):
    # The harness configures the test's cost (password_hash_cost) where the
    # configuration sets none; a sign-up and the admin's first password take it.
    person = HubSession(hub)
    assert person.sign_up("costed", "a-long-enough-passphrase").status_code == 200
    assert password_costs(hub.db_url, [ADMIN, "costed"]) == {
        ADMIN: QUICK_PASSWORD_COST,
        "costed": QUICK_PASSWORD_COST,
    }


def test_a_wrong_password_is_refused(hub):
    response = HubSession(hub).log_in(ADMIN, "not-the-password")
    assert response.status_code == 403
    assert "Invalid username or password" in response.text


def test_the_initial_password_is_applied_once(hub_factory, db_url):
    stop_hub(hub_factory(_config("first-password"), db_url=db_url))
    hub = hub_factory(_config("second-password"), db_url=db_url)
    assert _logged_in(HubSession(hub).log_in(ADMIN, "first-password"))
    assert not _logged_in(HubSession(hub).log_in(ADMIN, "second-password"))


def test_a_generated_admin_password_is_logged_on_the_first_start_only(hub_factory, db_url):
    first = hub_factory(_config(), db_url=db_url)
    match = re.search(r"generated password: (\S+)", first.log_since_start())
    assert match, first.log_tail()
    assert _logged_in(HubSession(first).log_in(ADMIN, match.group(1)))
    stop_hub(first)

    second = hub_factory(_config(), db_url=db_url)
    assert "generated password" not in second.log_since_start()
    assert _logged_in(HubSession(second).log_in(ADMIN, match.group(1)))


def test_a_signed_up_user_logs_in_once_authorised(hub):
    person = HubSession(hub)
    assert person.sign_up("newcomer", "a-long-enough-passphrase").status_code == 200

    pending = person.log_in("newcomer", "a-long-enough-passphrase")
    assert pending.status_code == 403
    assert "has not been authorized" in pending.text

    admin = HubSession(hub)
    assert _logged_in(admin.log_in(ADMIN, INITIAL_PASSWORD))
    assert admin.authorize("newcomer").status_code == 200

    assert _logged_in(person.log_in("newcomer", "a-long-enough-passphrase"))


def test_an_admin_whose_account_is_gone_gets_it_back_from_the_initial_password(hub_factory, db_url):
    stop_hub(hub_factory(_config("first-password"), db_url=db_url))
    # The hub keeps its admin user, but the account record is lost.
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM users_info"))
    engine.dispose()
    hub = hub_factory(_config("restored-password"), db_url=db_url)
    assert _logged_in(HubSession(hub).log_in(ADMIN, "restored-password"))


def test_logout_ends_the_session(hub):
    admin = HubSession(hub)
    assert _logged_in(admin.log_in(ADMIN, INITIAL_PASSWORD))
    admin.get(hub.hub_url("logout"), timeout=30).raise_for_status()
    assert "/hub/login" in admin.get(hub.hub_url("home"), timeout=30).url
