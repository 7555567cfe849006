"""Renames and deletions of hub users carry their NativeAuthenticator account, on a real hub."""

import itertools
import textwrap

import pytest

from stellars_testing import HubSession

ADMIN = "admin"
ADMIN_PASSWORD = "lifecycle-admin-secret"
PASSWORD = "carls-long-passphrase"
STRANGER = "a-strangers-passphrase"
_CARLS = itertools.count(1)


# One hub for the module (a hub start is about 3 s of CPU): each test renames,
# deletes or signs up names of its own (its own Carl among them), so none
# sees another's accounts.
@pytest.fixture(scope="module")
def hub(module_hub_factory):
    return module_hub_factory(
        textwrap.dedent(f"""
            c.JupyterHub.authenticator_class = "stellars"
            c.JupyterHub.spawner_class = "simple"
            c.Authenticator.admin_users = {{{ADMIN!r}}}
            c.Authenticator.allow_all = True
            c.StellarsNativeAuthenticator.initial_admin_password = {ADMIN_PASSWORD!r}
        """)
    )


def _logged_in(response):
    return response.status_code == 200 and "/hub/login" not in response.url


def _can_log_in(hub, username, password):
    return _logged_in(HubSession(hub).log_in(username, password))


@pytest.fixture
def carl(hub):
    """An authorised user who has logged in once (so the hub has a user for them)."""
    name = f"carl{next(_CARLS)}"
    HubSession(hub).sign_up(name, PASSWORD).raise_for_status()
    admin = HubSession(hub)
    admin.log_in(ADMIN, ADMIN_PASSWORD)
    admin.authorize(name).raise_for_status()
    assert _can_log_in(hub, name, PASSWORD)
    return name


def test_a_renamed_user_logs_in_under_the_new_name_only(hub, carl):
    renamed = hub.api("PATCH", f"users/{carl}", json={"name": f"{carl}b"})
    assert renamed.status_code == 200, renamed.text
    assert _can_log_in(hub, f"{carl}b", PASSWORD)
    # The old name opens nothing, and creates no new user.
    assert not _can_log_in(hub, carl, PASSWORD)
    assert hub.api("GET", f"users/{carl}").status_code == 404


def test_a_rename_onto_a_pending_sign_up_takes_the_name(hub, carl):
    HubSession(hub).sign_up("eve", STRANGER).raise_for_status()
    hub.api("PATCH", f"users/{carl}", json={"name": "eve"}).raise_for_status()
    assert _can_log_in(hub, "eve", PASSWORD)
    assert not _can_log_in(hub, "eve", STRANGER)


def test_a_deleted_users_account_goes_with_them(hub, carl):
    assert hub.api("DELETE", f"users/{carl}").status_code == 204
    assert not _can_log_in(hub, carl, PASSWORD)
    # The name is free for a new sign-up, which waits for approval like any other.
    HubSession(hub).sign_up(carl, STRANGER).raise_for_status()
    assert "has not been authorized" in HubSession(hub).log_in(carl, STRANGER).text


def test_creating_a_user_is_not_a_rename(hub, carl):
    HubSession(hub).sign_up("dora", STRANGER).raise_for_status()
    assert hub.api("POST", "users/newbie").status_code == 201
    assert _can_log_in(hub, carl, PASSWORD)
    assert "has not been authorized" in HubSession(hub).log_in("dora", STRANGER).text
