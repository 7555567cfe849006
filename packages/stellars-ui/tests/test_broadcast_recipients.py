"""Who a broadcast goes to: every running server, or the users asked for, none dropped."""

import pytest

from stellars_ui.broadcasts import NobodyToNotifyError, Recipient, RunningServer, recipients_for


def running(username, server_name=""):
    url = f"http://10.0.0.1:8888/user/{username}/"
    return RunningServer(username, server_name, url, None, None)


RUNNING = [running("ada"), running("bo"), running("bo", "gpu")]
KNOWN = {"ada", "bo", "cy"}


def test_everyone_means_every_running_server():
    recipients = recipients_for(None, RUNNING, KNOWN.__contains__)
    assert [(r.username, r.server_name) for r in recipients] == [
        ("ada", ""),
        ("bo", ""),
        ("bo", "gpu"),
    ]
    assert all(r.server_url and r.known for r in recipients)


def test_named_users_without_a_server_or_an_account_are_kept_with_what_they_lack():
    recipients = recipients_for(["cy", "bo", "ghost"], RUNNING, KNOWN.__contains__)
    assert recipients == [
        Recipient("cy", None, known=True),
        Recipient("bo", RUNNING[1].url, server_name=""),
        Recipient("bo", RUNNING[2].url, server_name="gpu"),
        Recipient("ghost", None, known=False),
    ]


def test_everyone_with_nothing_running_is_an_error():
    with pytest.raises(NobodyToNotifyError):
        recipients_for(None, [], KNOWN.__contains__)
    assert recipients_for(["cy"], [], KNOWN.__contains__) == [Recipient("cy", None)]
