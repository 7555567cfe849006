"""A broadcast sent through the Notifications page into real lab containers on the real engine.

The acceptance scenario: four users' labs are running when the admin opens
the page and chooses them all; the fourth stops before the admin sends. The
three running labs' notifications extension then lists the message, the
fourth is reported "not running", and no token of the broadcast is left in
the hub's database.
"""

import uuid

import requests
from hub_tokens import service_tokens

from stellars_testing import wait_until
from stellars_testing.browser import visit

NOTIFICATIONS = "jupyterlab-notifications-extension/notifications"
MESSAGE = "Maintenance at 18:00, please save your work"


def test_a_broadcast_from_the_page_reaches_three_labs_and_reports_the_stopped_fourth(
    docker_platform, docker_run, logged_in_page, admin_name, admin_password
):
    hub = docker_platform()
    run = uuid.uuid4().hex[:6]
    names = [f"bc{i}-{run}-{docker_run.run_id}" for i in range(4)]
    tokens = {name: hub.create_user(name) for name in names}
    for name in names:  # all four start at once
        hub.api("POST", f"users/{name}/server").raise_for_status()
    for name in names:
        hub.wait_for_server(name, running=True, timeout=240)

    page = logged_in_page(hub, admin_name, admin_password)
    visit(page, hub.hub_url("notifications"))
    for name in names:
        page.locator(f'#stellars-broadcast-servers input[data-username="{name}"]').wait_for()
    page.check('input[name="stellars-broadcast-recipients"][value="chosen"]')
    for name in names:
        page.check(f'#stellars-broadcast-servers input[data-username="{name}"]')
    # The list on the page is now stale: the fourth server stops before the admin sends.
    stopped = names[3]
    hub.api("DELETE", f"users/{stopped}/server").raise_for_status()
    hub.wait_for_server(stopped, running=False, timeout=120)

    page.fill("#stellars-broadcast-message", MESSAGE)
    page.select_option("#stellars-broadcast-variant", "warning")
    page.click("#stellars-broadcast-send")
    totals = page.locator("#stellars-broadcast-totals")
    totals.get_by_text("3 delivered, 1 failed of 4").wait_for(timeout=60_000)

    rows = page.locator("#stellars-broadcast-results tbody tr")
    assert rows.count() == 4
    for name in names[:3]:
        row = page.locator(f'#stellars-broadcast-results tr[data-username="{name}"]')
        assert "Delivered" in row.inner_text()
    stopped_row = page.locator(f'#stellars-broadcast-results tr[data-username="{stopped}"]')
    assert "not running" in stopped_row.inner_text()

    for name in names[:3]:
        response = requests.get(
            hub.user_url(name, NOTIFICATIONS),
            headers={"Authorization": f"token {tokens[name]}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        received = response.json()["notifications"]
        assert [(n["message"], n["type"], n["autoClose"]) for n in received] == [
            (MESSAGE, "warning", 5000)
        ]
    assert service_tokens(hub.db_url) == 0
    # The page's history shows it, with its totals.
    history = page.locator("#stellars-broadcast-history tbody tr").first
    wait_until(lambda: MESSAGE in history.inner_text(), timeout_s=10, what="the history row")
    assert "3 / 4" in history.inner_text()
