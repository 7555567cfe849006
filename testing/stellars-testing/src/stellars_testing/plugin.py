"""The pytest plugin: fixtures for real components, and a per-layer test count.

Registered through the ``pytest11`` entry point, so every package's tests get
the same fixtures without copying a conftest.
"""

from __future__ import annotations

import contextlib
import os
import signal
import uuid
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from stellars_testing import browser as browser_support
from stellars_testing import database, docker_engine
from stellars_testing import swarm as swarm_support
from stellars_testing.components import in_ci
from stellars_testing.hub import RunningHub, platform_config, start_hub, stop_hub
from stellars_testing.hub_forkserver import HubForkserver

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from playwright.sync_api import Browser, Page

# A test belongs to the layer of the most real component it uses (the first
# one listed here that it asks for).
LAYER_OF_FIXTURE = {
    "swarm": "swarm",
    "hub_image": "deploy",
    "browser": "browser",
    "docker_run": "docker",
    "postgres_db_url": "database",
    "hub_factory": "hub",
    "module_hub_factory": "hub",
    "platform_hub": "hub",
    "module_platform_hub": "hub",
}
LAYERS = ("unit", "hub", "database", "docker", "browser", "deploy", "swarm")
# What a test of the platform's own work says when JupyterHub's version cannot
# change its outcome (docs/testing.md has the rule): the sessions of the older
# JupyterHub leave it out.
SAME_ON_EVERY_JUPYTERHUB = "same_on_every_jupyterhub"

# bcrypt's cost on the hubs the fixtures start: 2**7 rounds, about 8 ms a hash
# or a login's check, where an installation spends 2**12 (a quarter of a
# second of CPU). Logins, sign-ups and batches cost a test run minutes of CPU
# at full cost. A module about the hashing or the login throttle is marked
# ``real_password_cost`` (REAL_COST_MARK) and keeps the installation's cost.
QUICK_PASSWORD_COST = 7
REAL_COST_MARK = "real_password_cost"


# ------------------------------------------------------------------ fixtures


# STELLARS_HUB_FORKSERVER=0 starts every hub as a new interpreter instead.
FORKSERVER_VARIABLE = "STELLARS_HUB_FORKSERVER"


@pytest.fixture(scope="session")
def hub_forkserver() -> Iterator[HubForkserver | None]:
    """Return the process the fixtures' hubs are forked from (None when switched off).

    It starts with the first hub and imports JupyterHub once for the run
    (``stellars_testing.hub_forkserver``).
    """
    if os.environ.get(FORKSERVER_VARIABLE) == "0":
        yield None
        return
    forkserver = HubForkserver()
    yield forkserver
    forkserver.stop()


@contextlib.contextmanager
def _hubs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., RunningHub]]:
    hubs: list[RunningHub] = []
    real_cost = request.node.get_closest_marker(REAL_COST_MARK) is not None
    cost = None if real_cost else QUICK_PASSWORD_COST
    forkserver = request.getfixturevalue("hub_forkserver")

    def start(config: str, **options: Any) -> RunningHub:
        options.setdefault("password_hash_cost", cost)
        options.setdefault("forkserver", forkserver)
        hub = start_hub(tmp_path_factory.mktemp("hub"), config, **options)
        hubs.append(hub)
        return hub

    try:
        yield start
    finally:
        for hub in hubs:
            stop_hub(hub)


def _platform_starter(start_hub_with: Callable[..., RunningHub]) -> Callable[..., RunningHub]:
    def start(environ: dict[str, str], extra_config: str = "", **options: Any) -> RunningHub:
        return start_hub_with(platform_config(environ, extra_config), **options)

    return start


@pytest.fixture
def hub_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., RunningHub]]:
    """Return ``start(config, **options)``, which starts a real hub; all are stopped after.

    Its hubs hash passwords at ``QUICK_PASSWORD_COST`` unless the test is
    marked ``real_password_cost`` or *config* sets the cost.
    """
    with _hubs(request, tmp_path_factory) as start:
        yield start


@pytest.fixture(scope="module")
def module_hub_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., RunningHub]]:
    """Like ``hub_factory``, for a hub that every test of a module shares.

    The module's mark (``pytestmark``) decides its bcrypt cost, not a test's.
    """
    with _hubs(request, tmp_path_factory) as start:
        yield start


@pytest.fixture
def platform_hub(hub_factory: Callable[..., RunningHub]) -> Callable[..., RunningHub]:
    """Return ``start(environ, extra_config="", **options)``: a hub set up by ``configure``.

    *environ* holds the platform's settings as environment variables, exactly
    as an operator would set them; *extra_config* is appended after
    ``configure(c, ...)`` (the harness's own settings still come last).
    """
    return _platform_starter(hub_factory)


@pytest.fixture(scope="module")
def module_platform_hub(module_hub_factory: Callable[..., RunningHub]) -> Callable[..., RunningHub]:
    """Like ``platform_hub``, for a hub that every test of a module shares."""
    return _platform_starter(module_hub_factory)


@pytest.fixture(scope="session")
def docker_run() -> Iterator[docker_engine.DockerRun]:
    """Return the real engine and this run's label; removes what the run created, at the end."""
    run = docker_engine.DockerRun(docker_engine.connect(), uuid.uuid4().hex[:12])
    yield run
    run.cleanup()


@pytest.fixture(scope="session")
def lab_image(docker_run: docker_engine.DockerRun) -> str:
    """Return the name of the locally built JupyterLab image."""
    return docker_engine.lab_image(docker_run.client)


@pytest.fixture(scope="session")
def hub_image(docker_run: docker_engine.DockerRun) -> str:
    """Return the name of the locally built hub image (``deploy/hub``)."""
    return docker_engine.hub_image(docker_run.client)


@pytest.fixture(scope="session")
def docker_host_ip(docker_run: docker_engine.DockerRun) -> str:
    """Return the host's address on the default bridge (where containers reach a hub)."""
    return docker_engine.bridge_gateway(docker_run.client)


@pytest.fixture(scope="session")
def swarm(docker_run: docker_engine.DockerRun) -> Iterator[swarm_support.Swarm]:
    """Return a Docker Swarm of a manager and two workers, each an engine in a container.

    Started once for the test run and removed after it (``stellars_testing.swarm``).
    """
    image = os.environ.get("STELLARS_SWARM_NODE_IMAGE", swarm_support.DEFAULT_NODE_IMAGE)
    cluster = swarm_support.start_swarm(docker_run.client, docker_run.run_id, image=image)
    yield cluster
    cluster.stop()


# The run's Chromium, shared by the browser modules that follow one another.
_CHROMIUM = pytest.StashKey[browser_support.SharedChromium]()


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """Return headless Chromium for a module's tests; their pages are closed after the module.

    One Chromium serves the browser modules that follow one another
    (``stellars_testing.browser.SharedChromium``); it is closed before the
    first test of a module that does not use it, so that no other test runs
    beside Playwright's event loop.
    """
    chromium = request.config.stash[_CHROMIUM]
    yield chromium.take()
    chromium.give_back()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Close the shared Chromium before a test of a module that does not use it."""
    chromium = item.config.stash.get(_CHROMIUM, None)
    if chromium is None or not chromium.running or chromium.held:
        return
    if "browser" not in getattr(item, "fixturenames", ()):
        chromium.close()


@pytest.fixture(scope="module")
def _login_states() -> browser_support.LoginStates:
    """What the logins through the form of a module's tests left in its browser."""
    return {}


@pytest.fixture
def logged_in_page(
    browser: Browser, _login_states: browser_support.LoginStates
) -> Callable[[RunningHub, str, str], Page]:
    """Return ``log_in(hub, username, password)``: a new page, logged in, on the home page.

    A module's first login of a user on a hub goes through the login form;
    a later one starts from the cookies it left, as a browser that logged in
    before (``stellars_testing.browser.log_in``). A test about the login
    itself fills the form on a page of its own.
    """

    def log_in(hub: RunningHub, username: str, password: str) -> Page:
        return browser_support.log_in(browser, hub, username, password, _login_states)

    return log_in


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[database.PostgresServer]:
    """Return the real PostgreSQL server; the databases tests created are dropped at the end."""
    server = database.connect()
    yield server
    server.drop_created()


@pytest.fixture
def postgres_db_url(postgres_server: database.PostgresServer) -> str:
    """Return the SQLAlchemy URL of a new, empty database on the real PostgreSQL server."""
    return postgres_server.create_database()


# ------------------------------------------------------------------ layers


def _layer(item: pytest.Item) -> str:
    # A test may say its layer itself: a parametrised case that asks for its
    # component at run time (``request.getfixturevalue``) cannot be seen below.
    marked = {mark.name for mark in item.iter_markers()} & set(LAYERS)
    for layer in reversed(LAYERS):
        if layer in marked:
            return layer
    names = set(getattr(item, "fixturenames", ()))
    for fixture, layer in LAYER_OF_FIXTURE.items():
        if fixture in names:
            return layer
    return "unit"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its layer (``-m docker`` selects the Docker layer)."""
    for item in items:
        item.add_marker(getattr(pytest.mark, _layer(item)))
        item.user_properties.append(("layer", _layer(item)))


def pytest_configure(config: pytest.Config) -> None:
    """Declare the layer markers; let the processes the tests start stop on SIGINT."""
    config.stash[_CHROMIUM] = browser_support.SharedChromium()
    for layer in LAYERS:
        config.addinivalue_line("markers", f"{layer}: a test of the {layer} layer")
    config.addinivalue_line(
        "markers",
        f"{SAME_ON_EVERY_JUPYTERHUB}: a test of what the platform does alone, which "
        "JupyterHub's version cannot change, so it runs on the newest only (noxfile.py)",
    )
    config.addinivalue_line(
        "markers",
        f"{REAL_COST_MARK}: the test's hubs hash passwords at the cost an installation "
        f"does, not at the quick cost ({QUICK_PASSWORD_COST}) of other tests",
    )
    # A run in a background job of a non-interactive script (scripts/test.sh's
    # streams) starts with SIGINT ignored, and every hub, server and managed
    # service it starts would inherit that. JupyterHub stops local servers and
    # services with SIGINT, then waits 10 s before SIGTERM: a hub with the idle
    # culler took 30 s to stop. A handler here is reset to the default in them.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Close the shared Chromium, if a browser module left it open."""
    chromium = config.stash.get(_CHROMIUM, None)
    if chromium is not None:
        chromium.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print how many tests of each layer passed, failed and were skipped."""
    counts: Counter[tuple[str, str]] = Counter()
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if report.when == "call" or outcome in {"skipped", "error"}:
                layer = dict(getattr(report, "user_properties", ())).get("layer", "unit")
                counts[layer, outcome] += 1
    terminalreporter.section("tests per layer")
    for layer in LAYERS:
        parts = [f"{counts[layer, o]} {o}" for o in ("passed", "failed", "skipped", "error")]
        terminalreporter.write_line(f"{layer:>9}: {', '.join(parts)}")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In CI, fail a run that skipped anything: every layer must really run there."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if in_ci() and reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
