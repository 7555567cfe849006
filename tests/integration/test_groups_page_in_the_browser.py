"""The Groups page (``/hub/groups``) in a real browser, on a real hub and its real API.

The admin sees every group with its members, its policy and the servers
running under an older one, and edits a policy through the page: a valid
save reaches the database, a bad memory value is named next to its field
and nothing is saved. A plain user gets the 403 page that names the
permission. The page is checked for labels and landmarks, and for
horizontal scrolling on a phone and a laptop.
"""

import re

import pytest
from accounts import local_platform, signed_up
from group_policies import record_start, store_policy, stored_policy
from playwright.sync_api import expect

from stellars_testing.browser import record_page_errors, screenshot, visit

ADMIN = "groupsadmin"
ADMIN_PASSWORD = "groups-page-admin-passphrase"
ENVIRON = local_platform(ADMIN, ADMIN_PASSWORD)
PASSWORD = "groups-page-user-passphrase"
PLAIN = "gus"
OTHER = "gia"
TIMEOUT_MS = 15_000
WIDTHS = [390, 1366]
TEAM_POLICY = {"cpu_limit": 2, "mem_limit": "4G", "max_servers": 1}


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    hub = module_platform_hub(ENVIRON)
    for user in (PLAIN, OTHER):
        signed_up(hub, user, PASSWORD, ADMIN, ADMIN_PASSWORD)
    for group, members in (
        ("data-team", [PLAIN, OTHER]),
        ("course", [OTHER]),
        ("docker-sock", []),
    ):
        hub.api("POST", f"groups/{group}", json={"users": members}).raise_for_status()
    store_policy(hub.db_url, "data-team", **TEAM_POLICY)
    # gus's server runs, started under a policy older than data-team's.
    hub.api("POST", f"users/{PLAIN}/server").raise_for_status()
    hub.wait_for_server(PLAIN, running=True)
    record_start(hub.db_url, PLAIN, "0123456789abcdef")
    return hub


@pytest.fixture
def page_errors():
    return []


@pytest.fixture
def admin_page(hub, logged_in_page, page_errors):
    page = logged_in_page(hub, ADMIN, ADMIN_PASSWORD)
    page.set_default_timeout(TIMEOUT_MS)

    record_page_errors(page, page_errors)
    visit(page, hub.hub_url("groups"))
    row(page, "data-team").wait_for()
    yield page
    assert page_errors == []


def row(page, group):
    return page.locator(f'#stellars-groups-table tbody tr[data-group="{group}"]')


def cells(page, group):
    return row(page, group).locator("td")


def open_editor(page, group):
    row(page, group).get_by_role("button", name=f"Edit policy of {group}").click()
    expect(page.locator("#stellars-policy-editor")).to_be_visible()
    expect(page.locator("#stellars-policy-title")).to_have_text(f"Policy of {group}")


def test_the_admin_sees_every_group_with_members_policy_and_outdated_servers(admin_page):
    page = admin_page
    link = page.get_by_role("link", name="Groups", exact=True)
    assert link.get_attribute("href").endswith("/hub/groups")
    team = cells(page, "data-team")
    expect(team.nth(1)).to_have_text("2")
    expect(team.nth(2)).to_have_text("CPU 2 · memory 4G · 1 server(s) at once")
    expect(team.nth(3)).to_have_text("1 server on an older policy")
    expect(cells(page, "course").nth(2)).to_have_text("No policy")
    expect(cells(page, "course").nth(3)).to_have_text("—")
    expect(row(page, "docker-sock").locator(".badge")).to_have_text("built-in")
    expect(row(page, "data-team").locator(".stellars-group-name .badge")).to_have_count(0)
    members = row(page, "course").get_by_role("link", name="Manage members of course")
    assert members.get_attribute("href").endswith("/hub/admin#/groups")
    screenshot(page, "groups-page")


def test_a_valid_edit_is_saved_and_a_secret_is_kept_unless_retyped(hub, admin_page):
    page = admin_page
    open_editor(page, "course")
    page.get_by_label("CPU limit (cores)").fill("0.5")
    page.get_by_label("Memory limit").fill("1G")
    page.get_by_role("button", name="Add variable").click()
    variable = page.locator(".stellars-variable").last
    variable.get_by_label("Name").fill("API_KEY")
    variable.get_by_label("Value").fill("s3cret-value")
    variable.get_by_label("Secret").check()
    page.get_by_role("button", name="Save").click()

    status = page.locator("#stellars-groups-status")
    expect(status).to_contain_text("Saved the policy of course (revision 1)")
    expect(page.locator("#stellars-policy-editor")).to_be_hidden()
    expect(cells(page, "course").nth(2)).to_have_text("CPU 0.5 · memory 1G · 1 variable")
    stored = stored_policy(hub.db_url, "course")
    assert stored.updated_by == ADMIN
    assert stored.policy.cpu_limit == 0.5
    assert stored.policy.mem_limit == 1024**3
    assert [(v.name, v.value, v.secret) for v in stored.policy.environment] == [
        ("API_KEY", "s3cret-value", True)
    ]

    # Opened again, the secret is masked; saved without retyping, it is kept.
    open_editor(page, "course")
    value = page.locator(".stellars-variable").last.get_by_label("Value")
    expect(value).to_have_value("")
    assert value.get_attribute("type") == "password"
    assert "s3cret-value" not in page.content()
    page.get_by_label("Servers at once").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(status).to_contain_text("(revision 2)")
    stored = stored_policy(hub.db_url, "course")
    assert stored.policy.max_servers == 3
    assert stored.policy.environment[0].value == "s3cret-value"


def test_a_bad_memory_value_is_named_next_to_its_field_and_nothing_is_saved(hub, admin_page):
    page = admin_page
    before = stored_policy(hub.db_url, "data-team")
    open_editor(page, "data-team")
    memory = page.get_by_label("Memory limit")
    expect(memory).to_have_value("4G")
    memory.fill("lots")
    page.get_by_label("CPU limit (cores)").fill("1")
    page.get_by_role("button", name="Save").click()

    error = page.locator("#stellars-policy-mem_limit-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("512M or 4G")
    assert memory.get_attribute("aria-invalid") == "true"
    assert "stellars-policy-mem_limit-error" in memory.get_attribute("aria-describedby")
    # Only the bad field is marked; the editor stays open with what was typed.
    expect(page.locator("#stellars-policy-cpu_limit-error")).to_be_hidden()
    expect(page.locator("#stellars-policy-error")).to_have_text(
        "The policy was not saved: correct the fields marked below."
    )
    expect(memory).to_have_value("lots")
    after = stored_policy(hub.db_url, "data-team")
    assert (after.revision, after.policy) == (before.revision, before.policy)
    screenshot(page, "groups-page-bad-field")


def test_a_plain_user_gets_the_page_that_names_the_permission(hub, logged_in_page):
    page = logged_in_page(hub, PLAIN, PASSWORD)
    assert page.get_by_role("link", name="Groups", exact=True).count() == 0
    response = visit(page, hub.hub_url("groups"))
    assert response.status == 403
    expect(page.locator("body")).to_contain_text("custom:group-policies:read")
    assert page.locator("#stellars-groups").count() == 0


def test_the_page_is_labelled_and_fits_a_phone_and_a_laptop(admin_page):
    page = admin_page
    open_editor(page, "data-team")
    page.get_by_role("button", name="Add variable").click()
    page.get_by_role("button", name="Add profile").click()
    # Landmarks and headings: the page's main region, one h1, headed table columns.
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text("Groups")
    assert page.locator("#stellars-groups-table thead th[scope=col]").count() == 5
    # Every control a person can reach has a name a screen reader reads out.
    unnamed = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((node) => node.offsetParent !== null)
            .filter((node) => {
              const labelled = node.id && document.querySelector(`label[for="${node.id}"]`);
              return !(labelled || node.getAttribute('aria-label') || node.textContent.trim());
            })
            .map((node) => node.outerHTML)""",
        ", ".join(f"#stellars-groups {tag}" for tag in ("input", "select", "button", "a")),
    )
    assert unnamed == []
    for group in page.locator("#stellars-policy-form fieldset").all():
        assert group.locator("legend").count() >= 1
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)  # a re-layout after the resize
        screenshot(page, f"groups-page-editor-{width}", keep_viewport=True)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"the Groups page at {width} px is {scroll} px wide"
    assert re.search(r"/hub/groups$", page.url)
