"""What a person sees on the login page once an account is throttled."""

import textwrap

import pytest

from stellars_testing import HubSession
from stellars_testing.browser import visit

ADMIN = "admin"
ADMIN_PASSWORD = "browser-admin-secret"

# The login throttle: its hub checks passwords at an installation's cost.
pytestmark = pytest.mark.real_password_cost


def test_the_login_page_says_too_many_attempts_and_keeps_the_username(hub_factory, browser):
    hub = hub_factory(
        textwrap.dedent(f"""
            c.JupyterHub.authenticator_class = "stellars"
            c.JupyterHub.spawner_class = "simple"
            c.Authenticator.admin_users = {{{ADMIN!r}}}
            c.Authenticator.allow_all = True
            c.StellarsNativeAuthenticator.initial_admin_password = {ADMIN_PASSWORD!r}
            c.StellarsNativeAuthenticator.lockout_failures = 2
        """)
    )
    page = browser.new_context().new_page()
    visit(page, hub.hub_url("login"))
    page.fill("input[name=username]", ADMIN)
    page.fill("input[name=password]", "not-the-password")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    assert "Invalid username or password" in page.inner_text(".login_error")
    # The name stays; only the password is typed again.
    assert page.input_value("input[name=username]") == ADMIN
    page.fill("input[name=password]", "not-it-either")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    page.fill("input[name=password]", ADMIN_PASSWORD)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("input[type=submit]")
    page.wait_for_load_state()
    assert answer.value.status == 429
    assert page.inner_text(".login_error") == "Too many attempts, try again in 1 minute."
    assert page.input_value("input[name=username]") == ADMIN
    # Whoever knows the password but is on a new browser waits too.
    assert HubSession(hub).log_in(ADMIN, ADMIN_PASSWORD).status_code == 429
