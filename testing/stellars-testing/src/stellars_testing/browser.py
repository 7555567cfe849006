"""Headless Chromium, driven by Playwright, for tests of the real pages."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote, urlsplit

from stellars_testing.components import require

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import (
        Browser,
        Error,
        Page,
        Playwright,
        Request,
        Response,
        StorageState,
    )

    # What a login through the form left in the browser (Playwright's storage
    # state: cookies and local storage), by hub URL, username and password.
    LoginStates = dict[tuple[str, str, str], StorageState]

# Playwright cannot download its own browser here; Debian's Chromium headless
# shell is used instead (scripts/provision-chromium.sh says why not the full
# browser). The flags keep it from calling home, which a closed network refuses.
CHROMIUM = "chromium-headless-shell"
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
    executable = os.environ.get("STELLARS_CHROMIUM") or shutil.which(CHROMIUM)
    if not executable:
        require("Chromium", "not installed", "Run scripts/provision-chromium.sh.")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


class SharedChromium:
    """One headless Chromium for the browser modules of a run that follow one another.

    Starting Playwright's driver and Chromium, and stopping them, costs
    about 2 s of CPU, once per module before. But Playwright's sync API
    keeps an event loop running in the main thread for as long as it is
    open, and a test that calls ``asyncio.run`` meanwhile fails: the plugin
    calls :meth:`close` before the first test of a module that does not use
    the browser, once no module holds it.
    """

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self.held = False

    @property
    def running(self) -> bool:
        """Return whether Chromium is open."""
        return self._browser is not None

    def take(self) -> Browser:
        """Return the Chromium, launched if it is not running, for a module to hold."""
        if self._browser is None:
            from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only where pages run

            playwright = sync_playwright().start()
            try:
                self._browser = launch(playwright)
            except BaseException:
                playwright.stop()
                raise
            self._playwright = playwright
        self.held = True
        return self._browser

    def give_back(self) -> None:
        """Close every page and context a module opened; Chromium stays open."""
        self.held = False
        if self._browser is not None:
            for context in self._browser.contexts:
                context.close()

    def close(self) -> None:
        """Close Chromium and stop Playwright's driver (and its event loop)."""
        self.held = False
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None


# Chromium on Linux watches every network interface and aborts requests in
# flight, loopback ones included, when one appears or goes: each container the
# engine starts or removes adds or drops a veth. The docker tests do that all
# the time beside the browser tests, so a navigation can lose its page or a
# module script to it. It is the browser's reaction to the machine, not the
# platform's behaviour, and only a navigation hit by it is tried again.
NETWORK_CHANGED = "net::ERR_NETWORK_CHANGED"
# How the same abort can reach page.goto instead: Chromium has already swapped
# its own error page in for the lost load. A hub that really refuses the
# connection shows the same, on every attempt, so it still fails the test.
ERROR_PAGE = "chrome-error://chromewebdata/"
# And a third way: Chromium starts the lost load again itself, and the
# navigation waited on reads as interrupted by another to the same address
# (seen once in a CI run, on a page a test had just asked for). A page that
# sends the browser somewhere else still fails the test.
_RESTARTED = re.compile(
    r'Navigation to "(?P<url>[^"]+)" is interrupted by another navigation to "(?P=url)"'
)
# Seconds to let a burst of network changes pass before each new attempt
# (a swarm node starting in a container adds several interfaces one after
# another): three attempts in quick succession all met one burst in run ci20.
NAVIGATION_PAUSES_S = (0.5, 1.0, 2.0, 2.0, 2.0)
NAVIGATION_ATTEMPTS = len(NAVIGATION_PAUSES_S) + 1


def lost_to_a_network_change(message: str) -> bool:
    """Return whether a navigation's error *message* is Chromium's reaction to a network change."""
    return NETWORK_CHANGED in message or ERROR_PAGE in message or bool(_RESTARTED.search(message))


def navigate(page: Page, action: Callable[[], object]) -> None:
    """Run *action* (``page.goto`` or ``page.reload``) until the page loads whole.

    Again, up to :data:`NAVIGATION_ATTEMPTS` times, only when Chromium
    aborted the navigation or one of its requests (a script, a style sheet)
    for a network change; any other failure is raised at once.

    Raises:
        AssertionError: every attempt lost a request to a network change.
    """
    from playwright.sync_api import Error as PlaywrightError  # noqa: PLC0415 - only where pages run

    aborted: list[str] = []

    def failed(request: Request) -> None:
        if NETWORK_CHANGED in (request.failure or ""):
            aborted.append(request.url)

    page.on("requestfailed", failed)
    try:
        for attempt in range(NAVIGATION_ATTEMPTS):
            if attempt:
                time.sleep(NAVIGATION_PAUSES_S[attempt - 1])
            aborted.clear()
            try:
                action()
                page.wait_for_load_state("load")
            except PlaywrightError as error:
                if not lost_to_a_network_change(str(error)):
                    raise
                aborted.append(page.url)
            if not aborted:
                return
    finally:
        page.remove_listener("requestfailed", failed)
    raise AssertionError(f"every navigation lost a request to a network change: {aborted}")


# RequireJS's words when a module's script did not load.
_MODULE_NOT_LOADED = re.compile(r'Script error for "(?P<module>[^"]+)"')


def record_page_errors(page: Page, errors: list[Error] | None = None) -> list[Error]:
    """Return a list that gathers *page*'s uncaught errors from now on (*errors*, if given).

    Less one kind: a RequireJS module whose script Chromium aborted for a
    network change (see :data:`NETWORK_CHANGED`). Pages load such modules
    after the ``load`` event, so :func:`navigate` cannot try them again; the
    abort is the browser's reaction to the machine, and the module's error
    says nothing of the page. Every other error is kept.
    """
    errors = [] if errors is None else errors
    aborted: list[str] = []

    def failed(request: Request) -> None:
        if NETWORK_CHANGED in (request.failure or ""):
            aborted.append(urlsplit(request.url).path)

    def uncaught(error: Error) -> None:
        missing = _MODULE_NOT_LOADED.search(str(error))
        if missing and any(path.endswith(f"/{missing['module']}.js") for path in aborted):
            return
        errors.append(error)

    page.on("requestfailed", failed)
    page.on("pageerror", uncaught)
    return errors


def visit(page: Page, url: str) -> Response | None:
    """Go to *url* through :func:`navigate`; return the response of the load that held."""
    responses: list[Response | None] = []
    navigate(page, lambda: responses.append(page.goto(url)))
    return responses[-1]


class HubPages(Protocol):
    """Where a hub's pages are: a hub the harness runs, or one in a container."""

    url: str

    def hub_url(self, path: str = "") -> str:
        """Return the public URL of a hub page."""
        ...


def log_in(
    browser: Browser,
    hub: HubPages,
    username: str,
    password: str,
    remembered: LoginStates | None = None,
) -> Page:
    """Return a new page, in a fresh browser context, logged in as *username*, on the home page.

    The login goes through the login form, unless *remembered* holds what
    an earlier login of the same user with the same password on the same
    hub left: then the new context starts with those cookies, as a browser
    that logged in before, and goes to the home page. Where the hub no
    longer takes them (the user deleted, the hub restarted afresh), the form
    it is. A login through the form is added to *remembered*.
    """
    # Land on the home page rather than spawning the user's server right away.
    home = urlsplit(hub.hub_url("home")).path
    key = (hub.url, username, password)
    if remembered is not None and key in remembered:
        page = browser.new_context(storage_state=remembered[key]).new_page()
        visit(page, hub.hub_url("home"))
        if urlsplit(page.url).path == home:
            return page
        page.context.close()
    page = browser.new_context().new_page()
    url = hub.hub_url(f"login?next={quote(home)}")
    visit(page, url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    if "/hub/login" in page.url:
        raise AssertionError(f"login as {username} failed: still on {page.url}")
    if remembered is not None:
        remembered[key] = page.context.storage_state()
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


# axe-core, installed by scripts/provision-axe.sh; the path of axe.min.js.
AXE_VARIABLE = "STELLARS_AXE_JS"
# What a page may not have. "moderate" and "minor" findings are reported by
# axe too, but the bar (and WCAG's A/AA failures that lock people
# out) is serious or critical.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

_AT_REST = "*, *::before, *::after { transition: none !important; animation: none !important; }"

_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    why: v.nodes.length ? v.nodes[0].failureSummary : "",
  }));
}"""


def accessibility_violations(page: Page) -> list[dict[str, object]]:
    """Return the serious and critical axe-core violations of *page* as it is now.

    Each is ``{"id", "impact", "help", "targets", "why"}``: up to five CSS
    selectors of offending elements, and axe's account of the first (for a
    contrast failure, the two colours and the ratio).
    """
    path = os.environ.get(AXE_VARIABLE)
    if not path or not Path(path).is_file():
        require("axe-core", f"{AXE_VARIABLE} is {path!r}", "Run scripts/provision-axe.sh.")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=path)
    # The page at rest: a button the test just clicked is still under the
    # mouse, and Bootstrap fades colours over 0.15 s, so axe could measure a
    # hover colour half-way through its transition (seen: a flaky 4.3:1).
    page.mouse.move(0, 0)
    page.add_style_tag(content=_AT_REST)
    violations: list[dict[str, object]] = page.evaluate(_RUN_AXE)
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def assert_accessible(page: Page) -> None:
    """Fail with every serious or critical axe-core violation of *page*."""
    violations = accessibility_violations(page)
    lines = [
        f"{v['impact']} {v['id']}: {v['help']} at {v['targets']}\n    {v['why']}"
        for v in violations
    ]
    assert not violations, f"{page.url} has accessibility violations:\n" + "\n".join(lines)


# The widths every page must fit without scrolling sideways: a phone held
# upright (390 px, an iPhone 12 to 15) and the most common laptop screen.
PHONE_WIDTH = 390
LAPTOP_WIDTH = 1366


def horizontal_overflow(page: Page, width: int) -> int:
    """Return by how many pixels *page*, shown *width* px wide, is wider than the window."""
    page.set_viewport_size({"width": width, "height": 800})
    overflow: int = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow


def assert_fits(page: Page, *widths: int) -> None:
    """Fail when *page* needs a horizontal scroll at any of *widths* (default: phone, laptop)."""
    for width in widths or (PHONE_WIDTH, LAPTOP_WIDTH):
        overflow = horizontal_overflow(page, width)
        assert overflow <= 0, f"{page.url} is {overflow}px too wide at {width}px"
