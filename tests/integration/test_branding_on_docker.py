"""Branding with real lab containers: JupyterLab's tabs in the browser, its icons, a hub restart.

The hub-layer details (what is served, the route check, no favicon) are in
test_branding.py.
"""

import base64

from branding_images import digest, png, write_images
from dockerspawner import DockerSpawner

from stellars_testing import HubSession
from stellars_testing.browser import visit
from stellars_testing.hub import stop_hub

LAB_TIMEOUT_MS = 120_000
# JupyterLab's page lists its idle favicon and the kernel-busy one as link.favicon.
FAVICON_HREFS = "() => [...document.querySelectorAll('link.favicon')].map((link) => link.href)"
FETCH_BASE64 = """async (href) => {
    const bytes = new Uint8Array(await (await fetch(href)).arrayBuffer());
    return btoa(String.fromCharCode(...bytes));
}"""


def test_jupyterlab_tabs_show_the_platforms_favicon_even_after_a_hub_restart(
    docker_platform, docker_run, browser, admin_name, admin_password, tmp_path
):
    images = write_images(tmp_path / "branding")
    main_icon = png((20, 160, 20))
    (tmp_path / "branding" / "main.png").write_bytes(main_icon)
    settings = {
        "JUPYTERHUB_BRANDING_DIR": str(tmp_path / "branding"),
        "JUPYTERHUB_FAVICON_URI": (tmp_path / "branding" / "favicon.png").as_uri(),
        "JUPYTERHUB_LAB_MAIN_ICON_URI": (tmp_path / "branding" / "main.png").as_uri(),
    }
    db_url = f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    # The lab container outlives the first hub, as it does when an operator restarts the hub.
    keep_servers = "c.JupyterHub.cleanup_servers = False\n"
    hub = docker_platform(settings, keep_servers, db_url=db_url)

    page = browser.new_context().new_page()
    visit(page, hub.hub_url("login"))
    page.fill("input[name=username]", admin_name)
    page.fill("input[name=password]", admin_password)
    page.click("input[type=submit], button[type=submit]")
    visit(page, hub.user_url(admin_name, "lab"))
    page.wait_for_selector("#jp-main-dock-panel", timeout=LAB_TIMEOUT_MS)
    hrefs = page.evaluate(FAVICON_HREFS)
    assert any("favicon-busy" in href for href in hrefs), hrefs
    for href in hrefs:
        fetched = base64.b64decode(page.evaluate(FETCH_BASE64, href))
        assert digest(fetched) == digest(images["favicon.png"]), href

    # The lab is told where its main icon is: a URL its page can load from the hub.
    container = docker_run.client.containers.get(f"jupyterlab-{DockerSpawner._escape(admin_name)}")
    environment = dict(item.split("=", 1) for item in container.attrs["Config"]["Env"])
    icon_url = environment["JUPYTERLAB_MAIN_ICON_URI"]
    assert icon_url.startswith("/stellars-test/hub/stellars/branding/lab-main-icon?v=")
    assert digest(base64.b64decode(page.evaluate(FETCH_BASE64, icon_url))) == digest(main_icon)
    page.context.close()

    # A new hub (and with it a new proxy, which knows no routes) finds the lab
    # still running and routes its favicons to itself again.
    stop_hub(hub)
    assert docker_run.client.containers.get(container.id).status == "running"
    hub = docker_platform(settings, keep_servers, db_url=db_url)
    hub.wait_for_server(admin_name, running=True)
    session = HubSession(hub)
    session.log_in(admin_name, admin_password)
    for frame in ("favicon.ico", "favicon-busy-2.ico"):
        response = session.get(
            hub.user_url(admin_name, f"static/favicons/{frame}"),
            allow_redirects=False,
            timeout=hub.api_timeout,
        )
        answer = (response.status_code, digest(response.content))
        assert answer == (200, digest(images["favicon.png"])), frame
    stop_hub(hub)
    container.remove(force=True)
