"""What a user's lab has been sent, read as JupyterLab's page reads it.

The notifications extension hands each notification out once (the read
drains its queue). Reading is marked as no activity of the user's, so that
a test of the idle culler does not keep the server alive by watching it.
"""

import requests

NOTIFICATIONS = "jupyterlab-notifications-extension/notifications?no_track_activity=1"


def read_notifications(hub, username, token):
    """Return the notifications *username*'s lab holds (and so drain them), with their token."""
    response = requests.get(
        hub.user_url(username, NOTIFICATIONS),
        headers={"Authorization": f"token {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["notifications"]
