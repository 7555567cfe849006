from stellars_testing.browser import visit


def test_pages_show_the_platform_name_escaped(ui_hub, logged_in_page, ui_password, platform_name):
    page = logged_in_page(ui_hub, "reader", ui_password)
    visit(page, ui_hub.hub_url("home"))
    name = page.get_by_test_id("stellars-platform-name")
    assert name.inner_text() == platform_name
    # JupyterHub's own navigation is still there around the platform's.
    assert page.get_by_role("link", name="Token").is_visible()
