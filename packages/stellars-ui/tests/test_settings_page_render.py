"""The Settings page with this package alone: rows and GPUs as handed to it.

``stellars_hub`` makes the rows from its schema (tested there and end to
end); here the hub is given rows and a GPU decision directly, so that what
the platform's own tests cannot reach without a GPU is pinned: the GPU
table, and text that is markup wherever it comes from. The scope is held
through a role, not by an admin, as an operator would delegate it.
"""

import textwrap

import pytest
from playwright.sync_api import expect

from stellars_testing import HubSession
from stellars_testing.browser import visit

PASSWORD = "ui-settings-password"
READER = "reader"
# Markup in every column a row has, and in a GPU's name (nvidia-smi's output).
MARKUP = "<img src=x onerror=window.stellarsHacked=1>"
CONFIG = textwrap.dedent(f"""
    from stellars_docker import DockerRuntime, DockerSettings, Gpu, GpuResolution
    from stellars_ui import (
        CUSTOM_SCOPES, TEMPLATE_DIR, SettingRow, UISettings, extra_handlers, template_vars,
    )

    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = {PASSWORD!r}
    c.Authenticator.allow_all = True
    c.JupyterHub.spawner_class = "simple"
    c.JupyterHub.extra_handlers = extra_handlers()
    c.JupyterHub.template_paths = [TEMPLATE_DIR]
    c.JupyterHub.custom_scopes = CUSTOM_SCOPES
    c.JupyterHub.load_roles = [
        {{"name": "settings-readers", "scopes": ["custom:settings:read"], "users": [{READER!r}]}},
    ]
    ui_settings = UISettings(
        settings_report=(
            SettingRow("APP_TOKEN", "Access", "********", "(not set)", "any text",
                       "A token.", secret=True),
            SettingRow("APP_TITLE", {MARKUP!r}, {MARKUP!r}, "'x'", "matching `^<a>$`",
                       {MARKUP!r}, secret=False),
            SettingRow("APP_LIMIT", "Access", "3", "3", "1 to 9", "A limit.", secret=False),
        ),
        package_versions={{"stellars-ui": "9.9.9", "stellars-missing": None}},
    )
    c.JupyterHub.template_vars = template_vars(ui_settings)
    gpus = GpuResolution(
        enabled=True,
        detected=True,
        gpus=(
            Gpu(index=0, name="NVIDIA H200", uuid="GPU-aaaa", memory_mib=143771),
            Gpu(index=1, name={MARKUP!r}, uuid="GPU-bbbb", memory_mib=81559),
        ),
    )
    # Made, never started: the page reads only what GPU detection decided.
    runtime = DockerRuntime(DockerSettings(image="lab:test"), gpus)
    c.JupyterHub.tornado_settings = tornado_settings(ui_settings, docker=runtime)
""")


@pytest.fixture(scope="module")
def hub(module_hub_factory, context_source):
    return module_hub_factory(context_source + CONFIG)


def test_rows_render_by_category_with_markup_as_text(hub, logged_in_page):
    page = logged_in_page(hub, READER, PASSWORD)
    page.get_by_role("link", name="Settings", exact=True).click()
    sections = page.locator("#stellars-settings section[data-category]")
    # .all() does not wait: the click's navigation must have ended first.
    expect(sections).to_have_count(2)
    # Categories in the order their first row came, rows under theirs.
    assert [section.get_attribute("data-category") for section in sections.all()] == [
        "Access",
        MARKUP,
    ]
    access = page.locator('section[data-category="Access"] tr[data-setting]')
    assert [row.get_attribute("data-setting") for row in access.all()] == [
        "APP_TOKEN",
        "APP_LIMIT",
    ]
    title = page.locator('tr[data-setting="APP_TITLE"]')
    for column in ("value", "description"):
        expect(title.locator(f'td[data-column="{column}"]')).to_have_text(MARKUP)
    expect(title.locator('td[data-column="allowed"] code')).to_have_text("^<a>$")
    expect(page.locator("#stellars-settings img")).to_have_count(0)
    expect(page.locator('tr[data-setting="APP_TOKEN"]')).to_have_attribute("data-secret", "true")
    assert page.evaluate("window.stellarsHacked") is None


def test_the_gpus_detected_at_start_up_are_listed(hub, logged_in_page):
    page = logged_in_page(hub, READER, PASSWORD)
    visit(page, hub.hub_url("settings"))
    gpus = page.locator("#stellars-settings-gpus")
    expect(gpus.locator("[data-gpu-state]")).to_have_attribute("data-gpu-state", "detected")
    expect(gpus).to_contain_text("gets the 2 GPUs detected at start-up")
    expect(gpus.locator('tr[data-gpu="0"]')).to_contain_text("NVIDIA H200")
    expect(gpus.locator('tr[data-gpu="0"]')).to_contain_text("143771 MiB")
    expect(gpus.locator('tr[data-gpu="1"] td[data-column="name"]')).to_have_text(MARKUP)
    versions = page.locator("#stellars-settings-versions")
    expect(versions.locator('tr[data-package="stellars-ui"] td')).to_have_text("9.9.9")
    expect(versions.locator('tr[data-package="stellars-missing"] td')).to_have_text("not installed")


def test_without_the_scope_the_page_is_a_403_and_has_no_link(hub):
    person = HubSession(hub)
    home = person.log_in("someone-else", PASSWORD)
    assert "hub/settings" not in home.text
    response = person.get(hub.hub_url("settings"), timeout=30)
    assert response.status_code == 403
    assert "custom:settings:read" in response.text
