"""The Settings page (``/hub/settings``) in a real browser, on a real hub.

The platform runs with the local-process spawner, so no Docker is needed and
the page has no GPUs to show. One hub serves every test; its environment
sets a few values away from their defaults, a secret, and a platform name
that is markup, to see each of them on the page as it should be.
"""

from importlib.metadata import version

import jupyterhub
import pytest
import requests
from accounts import local_platform, logged_in, user_token
from playwright.sync_api import expect

from stellars_hub import HubSettings
from stellars_testing.browser import assert_accessible, assert_fits, screenshot, visit

ADMIN = "boss"
ADMIN_PASSWORD = "settings-page-Secret-7731"
PLATFORM_NAME = "<b>Lab</b> & co"
LONG_NUMBER = "107374182400"
ENVIRON = {
    **local_platform(ADMIN, ADMIN_PASSWORD),
    "JUPYTERHUB_PLATFORM_NAME": PLATFORM_NAME,
    "JUPYTERHUB_NOTIFICATIONS_HISTORY": "7",
    # A long number: on a phone it must stay whole, not wrap digit by digit.
    "JUPYTERHUB_MEM_GUARANTEE": LONG_NUMBER,
}
# Every distribution of the platform: the page lists each with its version.
PLATFORM_PACKAGES = (
    "stellars-hub",
    "stellars-auth",
    "stellars-docker",
    "stellars-activity",
    "stellars-ui",
)
USER = "plain"


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    return module_platform_hub(ENVIRON)


@pytest.fixture(scope="module")
def user_password(hub):
    """The generated passphrase of an account the admin created: a user without the scope."""
    hub.create_user(USER)
    admin_token = user_token(hub, ADMIN)
    credentials = hub.api(
        "POST", "admin/credentials", token=admin_token, json={"usernames": [USER]}
    )
    assert credentials.status_code == 200, credentials.text
    (entry,) = credentials.json()["credentials"]
    return entry["password"]


@pytest.fixture
def admin_page(hub, logged_in_page):
    page = logged_in_page(hub, ADMIN, ADMIN_PASSWORD)
    visit(page, hub.hub_url("settings"))
    page.locator("#stellars-settings").wait_for()
    return page


def _setting(page, variable):
    return page.locator(f'#stellars-settings tr[data-setting="{variable}"]')


def _cell(page, variable, column):
    return _setting(page, variable).locator(f'td[data-column="{column}"]')


# ------------------------------------------------------------------ the settings


def test_the_admin_reaches_the_page_from_the_navigation(hub, logged_in_page):
    page = logged_in_page(hub, ADMIN, ADMIN_PASSWORD)
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page).to_have_url(hub.hub_url("settings"))
    expect(page.locator("h1")).to_have_text("Settings")


def test_every_setting_is_listed_under_its_category_in_schema_order(admin_page):
    fields = list(HubSettings.model_fields.values())
    rows = admin_page.locator("#stellars-settings tr[data-setting]")
    assert [row.get_attribute("data-setting") for row in rows.all()] == [
        field.alias for field in fields
    ]
    categories = list(dict.fromkeys(field.json_schema_extra["category"] for field in fields))
    sections = admin_page.locator("#stellars-settings section[data-category]")
    assert [section.get_attribute("data-category") for section in sections.all()] == categories
    for field in fields:
        category = field.json_schema_extra["category"]
        row = admin_page.locator(
            f'section[data-category="{category}"] tr[data-setting="{field.alias}"]'
        )
        expect(row).to_have_count(1)
        expect(row.locator('td[data-column="description"]')).to_have_text(field.description)
    screenshot(admin_page, "settings", full_page=False)


def test_a_changed_value_shows_next_to_its_default(admin_page):
    expect(_cell(admin_page, "JUPYTERHUB_NOTIFICATIONS_HISTORY", "value")).to_have_text("7")
    expect(_cell(admin_page, "JUPYTERHUB_NOTIFICATIONS_HISTORY", "default")).to_have_text("50")
    expect(_setting(admin_page, "JUPYTERHUB_NOTIFICATIONS_HISTORY")).to_have_attribute(
        "data-changed", "true"
    )
    expect(_cell(admin_page, "JUPYTERHUB_ADMIN", "value")).to_have_text(f"{ADMIN!r}")
    expect(_cell(admin_page, "JUPYTERHUB_ADMIN", "default")).to_have_text("'admin'")
    # A setting left alone is at its default, and not marked.
    expect(_cell(admin_page, "JUPYTERHUB_SPAWN_TIMEOUT", "value")).to_have_text("120")
    expect(_setting(admin_page, "JUPYTERHUB_SPAWN_TIMEOUT")).to_have_attribute(
        "data-changed", "false"
    )
    expect(_cell(admin_page, "JUPYTERHUB_SPAWN_TIMEOUT", "allowed")).to_have_text("10 to 3600")


def test_the_admin_password_is_masked_and_nowhere_in_the_page(hub, admin_page):
    expect(_cell(admin_page, "JUPYTERHUB_ADMIN_PASSWORD", "value")).to_have_text("********")
    expect(_cell(admin_page, "JUPYTERHUB_ADMIN_PASSWORD", "default")).to_have_text("(not set)")
    expect(_setting(admin_page, "JUPYTERHUB_ADMIN_PASSWORD")).to_have_attribute(
        "data-secret", "true"
    )
    assert ADMIN_PASSWORD not in admin_page.content()
    # ...nor in the HTML as the hub sent it, before any browser parsed it.
    admin = logged_in(hub, ADMIN, ADMIN_PASSWORD)
    sent = admin.get(hub.hub_url("settings"), timeout=30)
    assert sent.status_code == 200
    assert 'data-setting="JUPYTERHUB_ADMIN_PASSWORD"' in sent.text
    assert ADMIN_PASSWORD not in sent.text


def test_a_platform_name_that_is_markup_shows_as_text(admin_page):
    value = _cell(admin_page, "JUPYTERHUB_PLATFORM_NAME", "value")
    expect(value).to_have_text(repr(PLATFORM_NAME))
    expect(value.locator("b")).to_have_count(0)
    expect(admin_page.get_by_test_id("stellars-platform-name")).to_have_text(PLATFORM_NAME)


# How many lines the text of a cell takes: its height over one line's.
LINES = """cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const line = parseFloat(getComputedStyle(cell).lineHeight);
  return Math.round(range.getBoundingClientRect().height / line);
}"""


def test_on_a_phone_a_long_number_stays_whole_and_the_page_fits(admin_page):
    page = admin_page
    page.set_viewport_size({"width": 390, "height": 800})
    value = _cell(page, "JUPYTERHUB_MEM_GUARANTEE", "value")
    expect(value).to_have_text(repr(LONG_NUMBER))
    value.scroll_into_view_if_needed()
    assert value.evaluate(LINES) == 1
    # Every value and default on the page: none is split inside a number.
    cells = page.locator('#stellars-settings td[data-column="value"], td[data-column="default"]')
    for cell in cells.all():
        text = cell.inner_text()
        if text.strip("'").isdigit():
            assert cell.evaluate(LINES) == 1, text
    screenshot(page, "settings-phone", full_page=False, keep_viewport=True)
    assert_accessible(page)
    assert_fits(page)


def test_gpu_settings_and_the_gpus_found_are_one_section(admin_page):
    gpu_settings = [
        "JUPYTERHUB_GPU_ENABLED",
        "JUPYTERHUB_NVIDIA_IMAGE",
        "JUPYTERHUB_GPU_PROBE_TIMEOUT",
        "JUPYTERHUB_DEFAULT_GPUS",
    ]
    sections = admin_page.locator("#stellars-settings section")
    with_gpus = [
        section
        for section in sections.all()
        if section.locator("#stellars-settings-gpus").count()
        or any(section.locator(f'tr[data-setting="{name}"]').count() for name in gpu_settings)
    ]
    assert len(with_gpus) == 1
    (section,) = with_gpus
    assert section.get_attribute("data-category") == "GPU"
    for name in gpu_settings:
        expect(section.locator(f'tr[data-setting="{name}"]')).to_have_count(1)
    expect(section.locator("#stellars-settings-gpus [data-gpu-state]")).to_have_count(1)
    # One entry for it in the categories too.
    links = admin_page.locator("#stellars-settings-categories a")
    assert [link.inner_text() for link in links.all()].count("GPU") == 1
    assert "GPUs" not in [link.inner_text() for link in links.all()]


def test_lab_tools_are_said_to_need_a_lab_image_that_provides_them(admin_page):
    section = admin_page.locator('#stellars-settings section[data-category="Lab services"]')
    note = section.get_by_test_id("stellars-lab-services-note")
    expect(note).to_contain_text("only a lab image that provides the tool acts on it")
    expect(note).to_contain_text("The demo lab image (deploy/lab) provides none of them.")
    for variable, tool in (
        ("JUPYTERHUB_SERVICE_MLFLOW", "MLflow"),
        ("JUPYTERHUB_SERVICE_TENSORBOARD", "TensorBoard"),
        ("JUPYTERHUB_SERVICE_RESOURCES_MONITOR", "resources monitor"),
    ):
        description = _cell(admin_page, variable, "description")
        expect(description).to_contain_text(tool)
        expect(description).to_contain_text("Only a lab image that provides")
        expect(description).to_contain_text("the demo lab image (deploy/lab) has none")


# ------------------------------------------------------------------ GPUs and versions


def test_gpus_are_not_used_with_local_servers(admin_page):
    gpus = admin_page.locator("#stellars-settings-gpus")
    expect(gpus.locator("[data-gpu-state]")).to_have_attribute("data-gpu-state", "not-used")
    expect(gpus).to_contain_text("Not used: servers are local processes")
    expect(gpus.locator("tr[data-gpu]")).to_have_count(0)


def test_the_versions_of_jupyterhub_and_every_package_are_listed(admin_page):
    versions = admin_page.locator("#stellars-settings-versions")

    def installed(package):
        return versions.locator(f'tr[data-package="{package}"] td[data-column="version"]')

    expect(installed("jupyterhub")).to_have_text(jupyterhub.__version__)
    for package in PLATFORM_PACKAGES:
        expect(installed(package)).to_have_text(version(package))
    expect(versions.locator("tr[data-package]")).to_have_count(len(PLATFORM_PACKAGES) + 1)


# ------------------------------------------------------------------ who may read it


def test_a_user_without_the_scope_gets_a_403_and_no_link(hub, logged_in_page, user_password):
    page = logged_in_page(hub, USER, user_password)
    expect(page.get_by_role("link", name="Settings", exact=True)).to_have_count(0)
    response = visit(page, hub.hub_url("settings"))
    assert response.status == 403
    assert "custom:settings:read" in page.content()
    expect(page.locator("#stellars-settings")).to_have_count(0)


def test_an_anonymous_visitor_is_sent_to_log_in(hub):
    response = requests.get(hub.hub_url("settings"), allow_redirects=False, timeout=30)
    assert response.status_code == 302
    assert "/hub/login" in response.headers["Location"]
