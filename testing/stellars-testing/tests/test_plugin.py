"""The stellars-testing plugin's own rules, each checked by running pytest on a small test file.

The plugin reaches every run through its ``pytest11`` entry point, so the
runs here get it exactly as the packages' test sessions do. Their layer
fixtures are replaced by stand-ins in the run's conftest: a test's layer
comes from the names of the fixtures it asks for, and no component is
started to find it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

# Stand-ins for every fixture that puts a test in a layer above "unit".
STAND_INS = """
import pytest

@pytest.fixture
def hub_image(): return "image"

@pytest.fixture
def browser(): return "browser"

@pytest.fixture
def docker_run(): return "engine"

@pytest.fixture
def postgres_db_url(): return "postgresql://"

@pytest.fixture
def hub_factory(): return "hub"

@pytest.fixture
def swarm(): return "swarm"
"""

# One test per layer, and tests that ask for several components (named
# lowest layer first, so that the order of the arguments cannot decide).
ONE_PER_LAYER = """
import pytest

def test_unit(): pass
def test_hub(hub_factory): pass
def test_database(postgres_db_url): pass
def test_docker(docker_run): pass
def test_browser(browser): pass
def test_deploy(hub_image): pass
def test_database_and_hub(hub_factory, postgres_db_url): pass
def test_docker_and_below(hub_factory, postgres_db_url, docker_run): pass
def test_browser_and_below(hub_factory, postgres_db_url, docker_run, browser): pass
def test_deploy_and_below(hub_factory, postgres_db_url, docker_run, browser, hub_image): pass
def test_everything(hub_factory, postgres_db_url, docker_run, browser, hub_image, swarm): pass
"""
LAYER_OF_TEST = {
    "test_unit": "unit",
    "test_hub": "hub",
    "test_database": "database",
    "test_docker": "docker",
    "test_browser": "browser",
    "test_deploy": "deploy",
    "test_database_and_hub": "database",
    "test_docker_and_below": "docker",
    "test_browser_and_below": "browser",
    "test_deploy_and_below": "deploy",
    "test_everything": "swarm",
}

MISSING_COMPONENT = """
from stellars_testing import require

def test_needs_an_engine():
    require("Docker engine", "no socket", "Run scripts/provision-docker.sh.")
"""


@pytest.fixture
def outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as on a developer's machine."""
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture
def in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as in CI."""
    monkeypatch.setenv("CI", "true")


def _selected(pytester: pytest.Pytester, marker: str) -> set[str]:
    """Return the names of the tests of ONE_PER_LAYER that ``-m marker`` selects."""
    result = pytester.runpytest("-m", marker, "--collect-only", "-q", "--strict-markers")
    return {line.split("::")[-1] for line in result.outlines if "::" in line}


def _layers(pytester: pytest.Pytester) -> dict[str, str]:
    """Return each test's layer as its JUnit report records it (what summarize-tests.py reads)."""
    pytester.runpytest("--junitxml=report.xml", "-o", "junit_family=xunit1")
    cases = ET.parse(pytester.path / "report.xml").iter("testcase")
    return {
        case.get("name", ""): prop.get("value", "")
        for case in cases
        for prop in case.iter("property")
        if prop.get("name") == "layer"
    }


@pytest.mark.usefixtures("outside_ci")
def test_a_missing_component_skips_outside_ci_saying_how_to_provide_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(MISSING_COMPONENT)
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["*Docker engine unavailable: no socket. Run scripts/provision-docker.sh.*"]
    )
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.usefixtures("in_ci")
def test_a_missing_component_fails_in_ci(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(MISSING_COMPONENT)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Docker engine unavailable: no socket.*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.usefixtures("in_ci")
def test_any_skip_fails_the_run_in_ci(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_passes(): pass

        @pytest.mark.skip(reason="not here")
        def test_skipped(): pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, skipped=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.usefixtures("outside_ci")
def test_a_skip_outside_ci_leaves_the_run_green(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.skip(reason="not here")
        def test_skipped(): pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(skipped=1)
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.usefixtures("in_ci")
def test_ci_is_only_the_exact_word_true(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "1")
    pytester.makepyfile(MISSING_COMPONENT)
    pytester.runpytest().assert_outcomes(skipped=1)
    monkeypatch.setenv("CI", "TRUE")
    pytester.runpytest().assert_outcomes(failed=1)


@pytest.mark.parametrize("marker", ["unit", "hub", "database", "docker", "browser", "deploy"])
def test_each_test_is_marked_with_the_layer_of_its_most_real_component(
    pytester: pytest.Pytester, marker: str
) -> None:
    pytester.makeconftest(STAND_INS)
    pytester.makepyfile(ONE_PER_LAYER)
    expected = {test for test, layer in LAYER_OF_TEST.items() if layer == marker}
    assert _selected(pytester, marker) == expected


def test_not_docker_leaves_out_only_the_docker_layer(pytester: pytest.Pytester) -> None:
    # How the integration sessions split the suite (noxfile.py's INTEGRATION_PARTS).
    pytester.makeconftest(STAND_INS)
    pytester.makepyfile(ONE_PER_LAYER)
    expected = {test for test, layer in LAYER_OF_TEST.items() if layer != "docker"}
    assert _selected(pytester, "not docker") == expected


def test_every_module_scoped_and_platform_fixture_is_the_hub_layer(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def platform_hub(): return "hub"

        @pytest.fixture(scope="module")
        def module_hub_factory(): return "hub"

        @pytest.fixture(scope="module")
        def module_platform_hub(): return "hub"
        """
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def indirect(platform_hub): return platform_hub

        def test_platform(platform_hub): pass
        def test_module_factory(module_hub_factory): pass
        def test_module_platform(module_platform_hub): pass
        def test_through_another_fixture(indirect): pass
        """
    )
    assert _selected(pytester, "hub") == {
        "test_platform",
        "test_module_factory",
        "test_module_platform",
        "test_through_another_fixture",
    }


def test_a_layer_marker_on_the_test_wins_over_its_fixtures(pytester: pytest.Pytester) -> None:
    # A parametrised case that asks for its component at run time says so itself.
    pytester.makeconftest(STAND_INS)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.docker
        def test_asks_at_run_time(request): pass

        @pytest.mark.hub
        @pytest.mark.browser
        def test_marked_twice(): pass

        @pytest.mark.hub
        def test_marked_below_its_fixture(docker_run): pass
        """
    )
    assert _layers(pytester) == {
        "test_asks_at_run_time": "docker",
        "test_marked_twice": "browser",
        "test_marked_below_its_fixture": "hub",
    }


def test_the_layer_markers_are_declared(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.database
        def test_declared(): pass
        """
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)
    result = pytester.runpytest("--markers")
    for layer in ("unit", "hub", "database", "docker", "browser", "deploy", "swarm"):
        result.stdout.fnmatch_lines([f"@pytest.mark.{layer}: a test of the {layer} layer"])


@pytest.mark.usefixtures("outside_ci")
def test_the_summary_counts_each_layers_outcomes(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        STAND_INS
        + """
@pytest.fixture
def broken(): raise RuntimeError("set-up fails")
"""
    )
    pytester.makepyfile(
        """
        import pytest

        def test_unit_passes(): pass
        def test_unit_fails(): assert False
        def test_hub_passes(hub_factory): pass
        def test_hub_passes_too(hub_factory): pass
        def test_docker_fails(docker_run): assert False

        @pytest.mark.skip(reason="not here")
        def test_docker_skipped(docker_run): pass

        def test_docker_errors(docker_run, broken): pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, failed=2, skipped=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*tests per layer*",
            "     unit: 1 passed, 1 failed, 0 skipped, 0 error",
            "      hub: 2 passed, 0 failed, 0 skipped, 0 error",
            " database: 0 passed, 0 failed, 0 skipped, 0 error",
            "   docker: 0 passed, 1 failed, 1 skipped, 1 error",
            "  browser: 0 passed, 0 failed, 0 skipped, 0 error",
            "   deploy: 0 passed, 0 failed, 0 skipped, 0 error",
        ]
    )


def test_each_report_carries_its_layer(pytester: pytest.Pytester) -> None:
    # The per-layer totals of a whole CI run are read back from the JUnit reports.
    pytester.makeconftest(STAND_INS)
    pytester.makepyfile(ONE_PER_LAYER)
    assert _layers(pytester) == LAYER_OF_TEST


# A run the way scripts/test.sh starts one: in a background stream of a
# non-interactive script, which starts with SIGINT ignored. The test checks
# what a process the run starts (a hub, its servers) inherits.
CHILD_SIGINT = """
import signal, subprocess, sys

def test_a_started_process_stops_on_sigint():
    child = "import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"
    ignored = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True)
    assert ignored.stdout.strip() == "False"
"""


def test_a_run_started_with_sigint_ignored_starts_processes_that_stop_on_it(pytester):
    # JupyterHub stops a local server or a managed service with SIGINT first and
    # waits 10 s (its interrupt_timeout) before SIGTERM: a hub that inherited
    # SIGINT ignored took 30 s to stop with the idle culler in CI.
    pytester.makepyfile(test_child=CHILD_SIGINT)
    test_file = pytester.path / "test_child.py"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", str(test_file)],
        cwd=pytester.path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


# The hubs the fixtures start, recorded instead of started: the options each
# start was given (in a run of its own: the plugin's functions are replaced).
RECORDED_STARTS = """
import pytest
from stellars_testing import plugin

STARTS = []
plugin.start_hub = lambda workdir, config, **options: STARTS.append(options)
plugin.stop_hub = lambda hub: None

@pytest.fixture
def recorded():
    return STARTS
"""


def test_hubs_hash_at_the_quick_cost_unless_marked_or_given(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(RECORDED_STARTS)
    pytester.makepyfile(
        test_function_hubs="""
        import pytest

        def test_quick(hub_factory, recorded):
            hub_factory("config")
            assert recorded[-1]["password_hash_cost"] == 7

        @pytest.mark.real_password_cost
        def test_real(hub_factory, recorded):
            hub_factory("config")
            assert recorded[-1]["password_hash_cost"] is None

        def test_given(platform_hub, recorded):
            platform_hub({}, password_hash_cost=12)
            assert recorded[-1]["password_hash_cost"] == 12
        """,
        test_module_hubs="""
        import pytest

        pytestmark = pytest.mark.real_password_cost

        def test_module_marked(module_platform_hub, recorded):
            module_platform_hub({})
            assert recorded[-1]["password_hash_cost"] is None
        """,
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


# Four modules in collection order: two that use the browser, one that runs
# its own event loop, one that uses the browser again.
SHARED_CHROMIUM = {
    "conftest": """
        SEEN = []
    """,
    "test_a_first_pages": """
        import conftest

        def test_opens_a_page(browser):
            browser.new_context().new_page()
            conftest.SEEN.append(browser)
    """,
    "test_b_next_pages": """
        import conftest

        def test_gets_the_same_chromium_without_the_last_modules_pages(browser):
            assert browser is conftest.SEEN[0]
            assert browser.contexts == []
            browser.new_context().new_page()
    """,
    "test_c_event_loop": """
        import asyncio

        def test_runs_its_own_event_loop():
            asyncio.run(asyncio.sleep(0))
    """,
    "test_d_pages_again": """
        def test_gets_a_running_chromium(browser):
            assert browser.is_connected()
            assert browser.contexts == []
    """,
}


def test_browser_modules_in_a_row_share_one_chromium_closed_before_other_tests(
    pytester: pytest.Pytester,
) -> None:
    for name, source in SHARED_CHROMIUM.items():
        pytester.makepyfile(**{name: source})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
