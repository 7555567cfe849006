"""record_page_errors in real Chromium: it keeps every error a network change does not explain."""

import pytest

from stellars_testing.browser import record_page_errors

pytestmark = pytest.mark.browser


def test_an_uncaught_error_is_kept_even_one_that_reads_like_a_module_not_loaded(browser):
    page = browser.new_page()
    errors = record_page_errors(page)
    # No request was aborted here: an error worded as RequireJS words a
    # missing module is the page's own, and counts.
    page.set_content(
        "<script>setTimeout(() => { throw new Error('Script error for \"utils\"') })</script>"
        "<script>setTimeout(() => { throw new Error('boom') })</script>"
    )
    page.wait_for_timeout(200)
    assert sorted(error.message for error in errors) == ['Script error for "utils"', "boom"]
    page.close()
