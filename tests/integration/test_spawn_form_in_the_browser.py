"""The spawn page's profile choice, in a real browser, on a real hub.

A user whose groups offer two profiles sees the form on "Start My Server",
with the default profile preselected, picks the other one, and the server
starts with that choice in its ``user_options``. A user offered one profile
goes straight to the start. The local-process spawner is enough here: the
form and what it hands the spawner are JupyterHub's, whatever the spawner;
the profile's effect on a container is the Docker layer's test.
"""

import pytest
from accounts import local_platform, signed_up
from group_policies import store_policy
from playwright.sync_api import expect

from stellars_testing.browser import screenshot, visit

# JupyterHub's own templates and scripts shape this page: checked on every
# supported JupyterHub (noxfile.py, INTEGRATION_PARTS).
pytestmark = pytest.mark.jupyterhub_pages

ADMIN = "formadmin"
ADMIN_PASSWORD = "spawn-form-admin-passphrase"
ENVIRON = local_platform(ADMIN, ADMIN_PASSWORD)
PASSWORD = "spawn-form-user-passphrase"
CHOOSER, SINGLE, NONE_ALLOWED = "pia", "uno", "nil"
MARKUP = "<img src=x onerror=alert(1)>"
TIMEOUT_MS = 30_000

TWO_PROFILES = {
    "cpu_limit": 1,
    "mem_limit": "2G",
    "profiles": [
        {
            "name": "small",
            "display_name": "Small lab",
            "description": f"For notebooks {MARKUP} and light work",
            "image": "stellars/lab:small",
        },
        {
            "name": "big",
            "display_name": "Big lab",
            "description": "Four cores for training",
            "image": "stellars/lab:big",
            "cpu_limit": 4,
            "mem_limit": "16G",
            "gpus": "all",
        },
    ],
    "default_profile": "small",
}
ONE_PROFILE = {
    "profiles": [{"name": "only", "display_name": "The only lab", "image": "stellars/lab:one"}],
}


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    hub = module_platform_hub(ENVIRON)
    for user, group, policy in (
        (CHOOSER, "team-two", TWO_PROFILES),
        (SINGLE, "team-one", ONE_PROFILE),
        (NONE_ALLOWED, "team-none", {"max_servers": 0}),
    ):
        signed_up(hub, user, PASSWORD, ADMIN, ADMIN_PASSWORD)
        hub.api("POST", f"groups/{group}", json={"users": [user]}).raise_for_status()
        store_policy(hub.db_url, group, **policy)
    return hub


@pytest.fixture
def dialogs():
    return []


def _user_page(hub, logged_in_page, username, dialogs):
    page = logged_in_page(hub, username, PASSWORD)
    page.set_default_timeout(TIMEOUT_MS)

    def record_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record_dialog)
    return page


def _user_options(hub, username):
    return hub.user_model(username)["servers"][""]["user_options"]


def test_a_user_offered_two_profiles_picks_the_second_and_the_server_gets_it(
    hub, logged_in_page, dialogs
):
    page = _user_page(hub, logged_in_page, CHOOSER, dialogs)
    page.click("#start")
    group = page.get_by_role("group", name="Server profile")
    expect(group).to_be_visible()
    small = group.get_by_role("radio", name="Small lab")
    big = group.get_by_role("radio", name="Big lab")
    expect(group.get_by_role("radio")).to_have_count(2)
    # The default profile is preselected; each choice says what it gets.
    expect(small).to_be_checked()
    expect(big).not_to_be_checked()
    big_details = page.locator(f"#{big.get_attribute('aria-describedby')}")
    # No GPU on this hub (GPUs off): the form promises none.
    expect(big_details).to_contain_text("4 CPUs · 16 GiB memory · no GPU")
    expect(big_details).to_contain_text("stellars/lab:big")
    expect(big_details).to_contain_text("Four cores for training")
    small_details = page.locator(f"#{small.get_attribute('aria-describedby')}")
    # The policy's own limits where the profile sets none; an admin's markup stays text.
    expect(small_details).to_contain_text("1 CPU · 2 GiB memory · no GPU")
    expect(small_details).to_contain_text(MARKUP)
    assert page.locator("#spawn_form img").count() == 0
    screenshot(page, "spawn-form")

    big.check()
    page.click("#spawn_form button[type=submit]")
    hub.wait_for_server(CHOOSER, running=True)
    assert _user_options(hub, CHOOSER) == {"profile": "big"}
    assert dialogs == []


def test_a_user_offered_one_profile_starts_without_a_form(hub, logged_in_page, dialogs):
    page = _user_page(hub, logged_in_page, SINGLE, dialogs)
    page.click("#start")
    hub.wait_for_server(SINGLE, running=True)
    assert page.locator("#spawn_form").count() == 0
    assert page.get_by_role("group", name="Server profile").count() == 0
    # The server records the profile it runs, chosen or not.
    assert _user_options(hub, SINGLE) == {"profile": "only"}


def test_a_start_the_policy_refuses_says_why_on_the_spawn_page(hub, logged_in_page, dialogs):
    page = _user_page(hub, logged_in_page, NONE_ALLOWED, dialogs)
    visit(page, hub.hub_url("spawn"))
    expect(page.get_by_text("Your groups allow no server (from team-none)")).to_be_visible()
    screenshot(page, "spawn-refused")
    assert hub.user_model(NONE_ALLOWED)["servers"] == {}
