"""The platform's accounts as the integration tests set them up: an admin, tokens, logins.

Each module names its own admin (``ADMIN``) and passphrase; these helpers
build the hub's settings around them and the sessions and tokens the tests
act with, so that every module does it the same way.
"""

from stellars_testing import HubSession


def local_platform(admin, password):
    """Return the settings of the platform on the local-process spawner, with *admin*.

    Local single-user servers keep a test off Docker, and the GPU probe is
    off: the test machines have no GPU, and the probe has its own tests.
    Add a module's own settings to the returned dict.
    """
    return {
        "JUPYTERHUB_SPAWNER": "local",
        "JUPYTERHUB_ADMIN": admin,
        "JUPYTERHUB_ADMIN_PASSWORD": password,
        "JUPYTERHUB_GPU_ENABLED": "0",
    }


def user_token(hub, username, scopes=None):
    """Return a new API token of *username*, with *scopes* (default: all the user's own).

    Made with the harness's token; fails the test unless the hub made it.
    """
    body = {} if scopes is None else {"scopes": scopes}
    response = hub.api("POST", f"users/{username}/tokens", json=body)
    assert response.status_code == 201, response.text
    return response.json()["token"]


def logged_in(hub, username, password):
    """Return a browser-like session of *username*, logged in through the login form.

    Whether the login worked is the caller's to check where it matters.
    """
    session = HubSession(hub)
    session.log_in(username, password)
    return session


def signed_up(hub, username, password, admin, admin_password):
    """Return a session of *username*: signed up through the form, authorised by *admin*, logged in.

    Fails the test if any of the three steps does not do what a person would see it do.
    """
    person = HubSession(hub)
    assert person.sign_up(username, password).status_code == 200
    assert logged_in(hub, admin, admin_password).authorize(username).ok
    assert "/hub/home" in person.log_in(username, password).url
    return person
