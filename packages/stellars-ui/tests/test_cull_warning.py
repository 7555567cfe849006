"""What a user reads in JupyterLab before the idle culler stops their server."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from stellars_activity import CullWarning
from stellars_ui.broadcasts import cull_message
from stellars_ui.broadcasts.cull_warning import OPEN_URL_COMMAND, cull_payload, in_words

AT = datetime(2026, 12, 6, 14, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("remaining", "words"),
    [
        pytest.param(timedelta(seconds=20), "in less than a minute", id="seconds"),
        pytest.param(timedelta(seconds=61), "in 1 minute", id="one-minute"),
        pytest.param(timedelta(minutes=25, seconds=59), "in 25 minutes", id="minutes-rounded-down"),
        pytest.param(timedelta(hours=1), "in 1 hour", id="one-hour"),
        pytest.param(timedelta(hours=2, minutes=5), "in 2 hours 5 minutes", id="hours-and-minutes"),
    ],
)
def test_the_time_left_in_words(remaining, words):
    assert in_words(remaining) == words


def test_the_message_says_when_in_utc_and_how_long_from_now():
    # A cull time kept in another offset still reads in UTC.
    local = AT.astimezone(timezone(timedelta(hours=2)))
    message = cull_message(CullWarning("ada", local, timedelta(minutes=25)))
    assert "stopped at 14:05 UTC (in 25 minutes)" in message
    assert "extend your session" in message


def test_the_notice_stays_and_links_to_the_session_card():
    home = "/base/hub/home#stellars-session"
    payload = cull_payload(CullWarning("ada", AT, timedelta(minutes=25)), home)
    assert (payload["type"], payload["autoClose"], payload["immediate"]) == ("warning", False, True)
    (action,) = payload["actions"]
    assert action["commandId"] == OPEN_URL_COMMAND
    assert action["args"] == {"url": home, "text": "Home", "newBrowserTab": True}
    assert isinstance(action["label"], str)
    assert payload["data"] == {
        "kind": "cull-warning",
        "cull_at": "2026-12-06T14:05:30+00:00",
        "url": home,
    }
