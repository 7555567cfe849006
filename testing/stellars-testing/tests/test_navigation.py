"""Which navigation errors navigate() tries again: only Chromium's reactions to a network change."""

from stellars_testing.browser import lost_to_a_network_change

HOME = "http://127.0.0.1:8000/hub/home"
SETTINGS = "http://127.0.0.1:8000/hub/settings"


def test_an_aborted_load_and_chromiums_error_page_count():
    assert lost_to_a_network_change(f"Page.goto: net::ERR_NETWORK_CHANGED at {HOME}")
    assert lost_to_a_network_change(
        'Page.goto: Navigation to "chrome-error://chromewebdata/" is interrupted'
    )


def test_a_load_chromium_started_again_counts():
    # The error of a CI run: Chromium reloaded the address the test had asked for.
    message = (
        f'Page.goto: Navigation to "{SETTINGS}" is interrupted by another navigation to'
        f' "{SETTINGS}"\nCall log:\n  - navigating to "{SETTINGS}", waiting until "load"'
    )
    assert lost_to_a_network_change(message)


def test_a_page_that_sends_the_browser_elsewhere_or_a_refused_connection_does_not():
    elsewhere = f'Navigation to "{SETTINGS}" is interrupted by another navigation to "{HOME}"'
    assert not lost_to_a_network_change(elsewhere)
    assert not lost_to_a_network_change(f"Page.goto: net::ERR_CONNECTION_REFUSED at {HOME}")
    assert not lost_to_a_network_change("Timeout 30000ms exceeded.")
