"""The login, sign-up and change-password forms in a real browser, on a real hub.

Each password field can be shown by a control that needs no emoji font and
has a name a screen reader reads; every label is tied to its field; every
field of a form is as wide as the others; and a hub reached on a loopback
address over HTTP shows no "insecure HTTP" warning (nothing crosses a
network there). The platform runs on the local-process spawner.
"""

import pytest
from accounts import local_platform
from playwright.sync_api import expect

from stellars_testing.browser import (
    assert_accessible,
    assert_fits,
    log_in,
    screenshot,
    visit,
)

# JupyterHub's own templates and scripts shape this page: checked on every
# supported JupyterHub (noxfile.py, INTEGRATION_PARTS).
pytestmark = pytest.mark.jupyterhub_pages

ADMIN = "warden"
ADMIN_PASSWORD = "account-forms-Secret-9021"
ENVIRON = local_platform(ADMIN, ADMIN_PASSWORD)
TIMEOUT_MS = 15_000
# Emoji a page would need an emoji font for (NativeAuthenticator's eye and key).
EMOJI = ("\U0001f441", "\U0001f511")

# (page, whether it needs the admin logged in, the password fields one control reveals)
FORMS = [
    ("login", False, ["password_input"]),
    ("signup", False, ["password_input", "password_confirmation_input"]),
    (
        "change-password",
        True,
        ["old_password_input", "new_password_input", "new_password_confirmation_input"],
    ),
    (f"change-password/{ADMIN}", True, ["new_password_input", "new_password_confirmation_input"]),
]


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    return module_platform_hub(ENVIRON)


@pytest.fixture
def form_page(hub, browser):
    """Return ``open(path, as_admin)``: the form page at *path*, fully loaded."""
    pages = []

    def open_form(path, as_admin):
        if as_admin:
            page = log_in(browser, hub, ADMIN, ADMIN_PASSWORD)
        else:
            page = browser.new_context().new_page()
        pages.append(page)
        page.set_default_timeout(TIMEOUT_MS)
        visit(page, hub.hub_url(path))
        return page

    yield open_form
    for page in pages:
        page.context.close()


@pytest.mark.parametrize(("path", "as_admin", "fields"), FORMS, ids=[form[0] for form in FORMS])
def test_the_show_password_control_is_named_and_reveals_every_password_field(
    form_page, path, as_admin, fields
):
    page = form_page(path, as_admin)
    control = page.get_by_role("button", name="Show password")
    expect(control).to_have_count(1)
    expect(control).to_have_attribute("aria-pressed", "false")
    assert not any(emoji in control.inner_text() for emoji in EMOJI)
    assert control.locator("svg").count() == 1

    control.click()
    expect(control).to_have_attribute("aria-pressed", "true")
    for field in fields:
        expect(page.locator(f"#{field}")).to_have_attribute("type", "text")
    control.click()
    for field in fields:
        expect(page.locator(f"#{field}")).to_have_attribute("type", "password")


@pytest.mark.parametrize(("path", "as_admin", "fields"), FORMS, ids=[form[0] for form in FORMS])
def test_every_label_names_its_field_and_the_fields_are_one_width(
    form_page, path, as_admin, fields
):
    page = form_page(path, as_admin)
    form = page.locator("form.stellars-auth-form")
    labels = form.locator("label")
    assert labels.count() >= len(fields)
    for label in labels.all():
        target = label.get_attribute("for")
        assert target, label.inner_text()
        assert page.locator(f"[id='{target}']").count() == 1, target
    widths = {
        round(box["width"])
        for box in (field.bounding_box() for field in form.locator("input.form-control").all())
    }
    assert len(widths) == 1, widths
    assert_accessible(page)
    assert_fits(page)
    screenshot(page, "form-" + path.replace("/", "-"))


@pytest.mark.parametrize("path", ["login", "signup"])
def test_a_loopback_hub_over_http_shows_no_insecure_warning(form_page, hub, path):
    page = form_page(path, False)
    assert page.url.startswith("http://127.0.0.1") or page.url.startswith("http://localhost")
    expect(page.locator("#insecure-login-warning")).to_be_hidden()
    expect(page.get_by_text("unsecured HTTP")).to_have_count(0)


def test_the_sign_up_result_page_is_accessible_and_fits(form_page):
    page = form_page("signup", False)
    page.get_by_label("Username:").fill("formfiller")
    page.get_by_label("Password:", exact=True).fill("a-long-enough-passphrase")
    page.get_by_label("Confirm password:").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Create user").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("signup-result")).to_contain_text("administrator must approve")
    assert_accessible(page)
    assert_fits(page)
    screenshot(page, "signup-result")
