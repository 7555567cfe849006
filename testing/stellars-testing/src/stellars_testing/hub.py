"""A real JupyterHub with a real configurable-http-proxy, run as a subprocess.

A subprocess rather than JupyterHub's in-process test app: it runs the same
code path as production (config file, entry points, CHP), works the same way
on JupyterHub 5 and 6, and cannot leak state between tests.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import requests

from stellars_testing.components import require
from stellars_testing.ports import free_ports

if TYPE_CHECKING:
    from pathlib import Path

    from stellars_testing.hub_forkserver import HubForkserver

# Never "/": a path hard-coded in a test or a handler shows up as a 404.
TEST_BASE_URL = "/stellars-test/"
ADMIN_SERVICE = "stellars-test-admin"
# Scopes of the harness's own token: enough to drive any user and server.
ADMIN_SERVICE_SCOPES = [
    "admin:users",
    "admin:servers",
    "admin:groups",
    "tokens",
    "read:hub",
    "admin-ui",
]
START_TIMEOUT = 60.0


@dataclass
class RunningHub:
    """A hub that answers on :attr:`url`; its harness token is :attr:`admin_token`."""

    url: str
    admin_token: str
    workdir: Path
    process: subprocess.Popen[bytes]
    log_path: Path
    db_url: str
    api_timeout: float = 30.0
    # What requests verify the hub's certificate against (a PEM file), when it serves https.
    verify: str | bool = True
    # The hub's own port (hub_bind_url), which lab containers reach without the proxy.
    direct_url: str = ""
    _log_offset: int = field(default=0, repr=False)

    def hub_url(self, path: str = "") -> str:
        """Return the public URL of a hub page, e.g. ``hub_url("login")``."""
        return f"{self.url}hub/{path.lstrip('/')}"

    def direct_hub_url(self, path: str = "") -> str:
        """Return the URL of a hub page on the hub's own port, bypassing the proxy."""
        return f"{self.direct_url}hub/{path.lstrip('/')}"

    def user_url(self, username: str, path: str = "") -> str:
        """Return the public URL of a path on *username*'s server, through the proxy."""
        return f"{self.url}user/{username}/{path.lstrip('/')}"

    def api(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        """Call the hub's REST API (``/hub/api/<path>``) with *token* or the harness token."""
        headers = {"Authorization": f"token {token or self.admin_token}"}
        kwargs.setdefault("verify", self.verify)
        return requests.request(
            method,
            self.hub_url(f"api/{path.lstrip('/')}"),
            headers=headers,
            timeout=self.api_timeout,
            **kwargs,
        )

    def user_model(self, username: str) -> dict[str, Any]:
        """Return the REST model of *username* (with its servers)."""
        response = self.api("GET", f"users/{username}")
        response.raise_for_status()
        model: dict[str, Any] = response.json()
        return model

    def wait_for_server(self, username: str, *, running: bool, timeout: float = 120.0) -> None:
        """Wait until *username*'s default server is ready (or fully stopped)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.user_model(username)["servers"].get("")
            if running and server and server["ready"]:
                return
            if not running and not server:
                return
            time.sleep(0.5)
        state = "ready" if running else "stopped"
        raise AssertionError(f"{username}'s server not {state} after {timeout}s\n{self.log_tail()}")

    def create_user(self, username: str, *, admin: bool = False) -> str:
        """Create *username* in the hub and return an API token of theirs."""
        self.api("POST", f"users/{username}", json={"admin": admin}).raise_for_status()
        response = self.api("POST", f"users/{username}/tokens", json={"note": "test"})
        response.raise_for_status()
        token: str = response.json()["token"]
        return token

    def log_tail(self, lines: int = 60) -> str:
        """Return the last *lines* of the hub's log, for failure messages."""
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(["--- hub log ---", *text[-lines:]])

    def log_since_start(self) -> str:
        """Return everything the hub logged."""
        return self.log_path.read_text(errors="replace")


class HubSession(requests.Session):
    """A person's browser session against the hub's HTML forms (cookies, XSRF)."""

    def __init__(self, hub: RunningHub) -> None:
        super().__init__()
        self.hub = hub

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        """Send a request that verifies the hub's certificate as the hub says.

        Per request, not as ``self.verify``: requests lets ``REQUESTS_CA_BUNDLE``
        from the environment win over a session's own setting.
        """
        kwargs.setdefault("verify", self.hub.verify)
        return super().request(*args, **kwargs)

    def _xsrf_from(self, page: requests.Response) -> str:
        match = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
        assert match, f"no XSRF field in {page.url}"
        return html.unescape(match.group(1))

    def submit_form(self, page_path: str, fields: dict[str, str]) -> requests.Response:
        """GET a hub page, then POST *fields* to it with the page's XSRF token."""
        page = self.get(self.hub.hub_url(page_path), timeout=30)
        page.raise_for_status()
        return self.post(page.url, data={**fields, "_xsrf": self._xsrf_from(page)}, timeout=30)

    def post_from(
        self, page_path: str, action_path: str, fields: dict[str, str]
    ) -> requests.Response:
        """GET a hub page, then POST *fields* to *action_path* with the page's XSRF token."""
        page = self.get(self.hub.hub_url(page_path), timeout=30)
        page.raise_for_status()
        return self.post(
            self.hub.hub_url(action_path),
            data={**fields, "_xsrf": self._xsrf_from(page)},
            timeout=30,
        )

    def authorize(self, username: str, action: str = "authorize") -> requests.Response:
        """As an admin: authorise an account (``action="unauthorize"``: the reverse)."""
        return self.post_from("authorize", f"authorize/{quote(username)}", {"action": action})

    def log_in(self, username: str, password: str) -> requests.Response:
        """Log in through the login form; return the final response (the home page).

        JupyterHub would otherwise go on to spawn the user's server, which is
        not what logging in is about.
        """
        home = urlsplit(self.hub.hub_url("home")).path
        return self.submit_form(
            f"login?next={quote(home)}", {"username": username, "password": password}
        )

    def sign_up(self, username: str, password: str) -> requests.Response:
        """Sign up through the sign-up form; return its response."""
        return self.submit_form(
            "signup",
            {
                "username": username,
                "signup_password": password,
                "signup_password_confirmation": password,
            },
        )


# The harness chooses the hub's database; it tells a platform config through this variable.
HARNESS_DB_URL_VARIABLE = "STELLARS_TEST_HUB_DB_URL"


def platform_config(environ: dict[str, str], extra_config: str = "") -> str:
    """Return a config file that sets the hub up with ``stellars_hub.configure``.

    The platform gets the harness's database as ``JUPYTERHUB_DB_URL``, as an
    operator would set it, so that what it keeps next to the hub's tables
    (activity samples) is in the database the hub really uses.

    The hub is served under ``TEST_BASE_URL`` unless *environ* sets
    ``JUPYTERHUB_BASE_URL`` (then pass the path it makes as ``base_url`` to
    :func:`start_hub`). It serves plain http unless *environ* sets ``JUPYTERHUB_SSL_ENABLED=1``
    (the platform's default is https): a test of TLS opts in, and passes
    ``ca_cert`` to :func:`start_hub` to reach it.
    """
    environ = {"JUPYTERHUB_SSL_ENABLED": "0", "JUPYTERHUB_BASE_URL": TEST_BASE_URL, **environ}
    return (
        "import os\n"
        "from stellars_hub import configure, load_settings\n"
        f"db_url = os.environ[{HARNESS_DB_URL_VARIABLE!r}]\n"
        f"configure(c, load_settings({{'JUPYTERHUB_DB_URL': db_url, **{environ!r}}}))\n"
        + textwrap.dedent(extra_config)
    )


def _harness_config(
    *,
    workdir: Path,
    port: int,
    hub_ip: str,
    hub_port: int,
    api_port: int,
    token: str,
    db_url: str,
    scheme: str,
    password_hash_cost: int | None,
) -> str:
    # bcrypt's cost, unless the configuration under test chose one itself.
    cost = (
        ""
        if password_hash_cost is None
        else "if 'password_hash_cost' not in c.StellarsNativeAuthenticator:\n"
        f"    c.StellarsNativeAuthenticator.password_hash_cost = {password_hash_cost}\n"
    )
    return (
        textwrap.dedent(f"""
        # ---- test harness: ports, state and a token for the test itself
        # The path of bind_url is the base URL (setting base_url too would reset
        # bind_url): the one the config under test chose, else the harness's.
        from urllib.parse import urlsplit as _urlsplit
        _base_url = {TEST_BASE_URL!r}
        if "bind_url" in c.JupyterHub:
            _base_url = _urlsplit(c.JupyterHub.bind_url).path
        c.JupyterHub.bind_url = "{scheme}://127.0.0.1:{port}" + _base_url
        c.JupyterHub.hub_bind_url = "http://{hub_ip}:{hub_port}"
        c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
        c.JupyterHub.db_url = {db_url!r}
        c.JupyterHub.cookie_secret_file = {str(workdir / "cookie_secret")!r}
        c.ConfigurableHTTPProxy.pid_file = {str(workdir / "proxy.pid")!r}
        c.JupyterHub.log_level = "DEBUG"
        c.JupyterHub.services = [
            *(c.JupyterHub.services if "services" in c.JupyterHub else []),
            {{"name": {ADMIN_SERVICE!r}, "api_token": {token!r}}},
        ]
        c.JupyterHub.load_roles = [
            *(c.JupyterHub.load_roles if "load_roles" in c.JupyterHub else []),
            {{"name": {ADMIN_SERVICE!r}, "scopes": {ADMIN_SERVICE_SCOPES!r},
              "services": [{ADMIN_SERVICE!r}]}},
        ]
    """)
        + cost
    )


def start_hub(
    workdir: Path,
    config: str,
    *,
    hub_ip: str = "127.0.0.1",
    db_url: str | None = None,
    env: dict[str, str] | None = None,
    ca_cert: str | Path | None = None,
    base_url: str = TEST_BASE_URL,
    hub_port: int | None = None,
    password_hash_cost: int | None = None,
    forkserver: HubForkserver | None = None,
) -> RunningHub:
    """Start JupyterHub with *config* (Python source) in *workdir*; wait until it answers.

    The harness appends its own settings (ports, database, token) after
    *config*, so *config* is the configuration under test and nothing else.

    With *ca_cert*, the hub is reached over https and every request verifies
    its certificate against that PEM file; a relative path is taken from
    *workdir*, where a certificate the hub generates itself lands. *config*
    must then have the proxy serve https (``JUPYTERHUB_SSL_ENABLED=1``).

    *base_url* is the path the hub is expected under: the one *config* sets
    in ``bind_url``, which the harness keeps (``TEST_BASE_URL`` when it sets none).

    *hub_port* is the hub's own port (free when not given): a hub restarted
    on an earlier one's database passes that one's, so that the servers it
    finds still running reach it where they were told it is.

    *password_hash_cost* is the bcrypt cost of the hub's
    ``StellarsNativeAuthenticator`` where *config* sets none (None: the
    authenticator's own default, as deployed).

    With *forkserver*, the hub's process is forked from it rather than a
    new interpreter (:mod:`stellars_testing.hub_forkserver`).
    """
    if shutil.which("configurable-http-proxy", path=(env or os.environ).get("PATH")) is None:
        require(
            "configurable-http-proxy",
            "not on PATH",
            "Run scripts/provision-chp.sh and put its bin directory on PATH (nox does both).",
        )
    port, free_hub_port, api_port = free_ports(
        ["127.0.0.1", hub_ip, "127.0.0.1"], besides=(hub_port,) if hub_port else ()
    )
    hub_port = hub_port or free_hub_port
    token = secrets.token_hex(32)
    workdir.mkdir(parents=True, exist_ok=True)
    db_url = db_url or f"sqlite:///{workdir / 'jupyterhub.sqlite'}"
    config_path = workdir / "jupyterhub_config.py"
    config_path.write_text(
        textwrap.dedent(config)
        + _harness_config(
            workdir=workdir,
            port=port,
            hub_ip=hub_ip,
            hub_port=hub_port,
            api_port=api_port,
            token=token,
            db_url=db_url,
            scheme="https" if ca_cert else "http",
            password_hash_cost=password_hash_cost,
        )
    )
    log_path = workdir / "hub.log"
    hub_env = {**os.environ, HARNESS_DB_URL_VARIABLE: db_url, **(env or {})}
    arguments = ["-f", str(config_path)]
    command = [sys.executable, "-m", "jupyterhub", *arguments]
    if forkserver is not None and forkserver.serves(hub_env):
        command = forkserver.command(arguments)
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our interpreter, our config file
            command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, env=hub_env
        )
    hub = RunningHub(
        url=f"{'https' if ca_cert else 'http'}://127.0.0.1:{port}{base_url}",
        admin_token=token,
        workdir=workdir,
        process=process,
        log_path=log_path,
        db_url=db_url,
        verify=str(workdir / ca_cert) if ca_cert else True,
        direct_url=f"http://{hub_ip}:{hub_port}{base_url}",
    )
    _wait_until_up(hub)
    return hub


def _wait_until_up(hub: RunningHub) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            raise AssertionError(f"the hub exited with {hub.process.returncode}\n{hub.log_tail()}")
        try:
            health = requests.get(hub.hub_url("health"), timeout=2, verify=hub.verify)
            if health.status_code == HTTPStatus.OK:
                return
        # OSError too: a certificate the hub generates may not be written yet.
        except (requests.ConnectionError, OSError):
            pass
        time.sleep(0.2)
    stop_hub(hub)
    raise AssertionError(f"the hub did not answer within {START_TIMEOUT}s\n{hub.log_tail()}")


def stop_hub(hub: RunningHub, timeout: float = 60.0) -> None:
    """Stop the hub as an operator would (SIGTERM): it stops its servers and its proxy."""
    if hub.process.poll() is not None:
        return
    hub.process.send_signal(signal.SIGTERM)
    try:
        hub.process.wait(timeout)
    except subprocess.TimeoutExpired:
        hub.process.kill()
        hub.process.wait()
        # A killed hub cannot stop the proxy it started; do it for it.
        proxy_pid = hub.workdir / "proxy.pid"
        if proxy_pid.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(proxy_pid.read_text().strip()), signal.SIGTERM)
