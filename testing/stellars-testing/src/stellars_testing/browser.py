"""Headless Chromium, driven by Playwright, for tests of the real pages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from stellars_testing.components import require

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

    from stellars_testing.hub import RunningHub

# Playwright cannot download its own browser here; Debian's chromium is used
# instead. The flags keep it from calling home, which a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright: Playwright) -> Browser:
    """Return a headless Chromium, or stop the test saying how to install one."""
    executable = os.environ.get("STELLARS_CHROMIUM") or shutil.which("chromium")
    if not executable:
        require("Chromium", "not installed", "Run scripts/provision-chromium.sh.")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def log_in(browser: Browser, hub: RunningHub, username: str, password: str) -> Page:
    """Return a new page, in a fresh browser context, logged in as *username* via the form."""
    page = browser.new_context().new_page()
    # Land on the home page rather than spawning the user's server right away.
    home = urlsplit(hub.hub_url("home")).path
    page.goto(hub.hub_url(f"login?next={quote(home)}"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    if "/hub/login" in page.url:
        raise AssertionError(f"login as {username} failed: still on {page.url}")
    return page


# Where the browser tests leave screenshots of the pages for the docs
# (scripts/screenshots.sh sets it); unset, taking one does nothing.
SCREENSHOTS_VARIABLE = "STELLARS_SCREENSHOTS"


def screenshot(
    page: Page, name: str, *, full_page: bool = True, keep_viewport: bool = False
) -> None:
    """Save *page* as ``<$STELLARS_SCREENSHOTS>/<name>.png`` when that folder is set.

    *full_page* False keeps to the first screen (for a long page). The page
    is shown 1,280 px wide, as the README's images are, unless
    *keep_viewport* (a phone-width check's own picture).
    """
    folder = os.environ.get(SCREENSHOTS_VARIABLE)
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    if not keep_viewport:
        page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=Path(folder) / f"{name}.png", full_page=full_page)
