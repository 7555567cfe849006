"""What a user's lab has been sent, read as JupyterLab's page reads it.

The notifications extension hands each notification out once (the read
drains its queue). Reading is marked as no activity of the user's, so that
a test of the idle culler does not keep the server alive by watching it.
"""

import requests

NOTIFICATIONS = "jupyterlab-notifications-extension/notifications?no_track_activity=1"


class LabNotAnsweringError(AssertionError):
    """The lab did not answer: the request ended at the hub (its page), the lab being stopped."""


def read_notifications(hub, username, token):
    """Return the notifications *username*'s lab holds (and so drain them), with their token.

    Raises:
        LabNotAnsweringError: something other than the lab's JSON came back, as
            when the server stopped a moment ago and the hub answered instead.
    """
    response = requests.get(
        hub.user_url(username, NOTIFICATIONS),
        headers={"Authorization": f"token {token}"},
        timeout=30,
    )
    if response.status_code != 200 or "json" not in response.headers.get("Content-Type", ""):
        raise LabNotAnsweringError(
            f"{username}'s lab did not answer: {response.status_code} from {response.url}\n"
            f"{response.text[:300]}"
        )
    return response.json()["notifications"]
