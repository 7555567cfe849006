"""The login throttle against a lab's attacks, on a real hub: through the proxy and its own port.

A lab container reaches the hub's own port (``hub_bind_url``) directly and may
send any ``X-Forwarded-For``. Here the attacker's requests leave from a
non-loopback address of this machine, as a lab's would: not a trusted proxy.
"""

import dataclasses
import re
import socket
import statistics
import textwrap
import time

import pytest
from requests.adapters import HTTPAdapter

from stellars_testing import HubSession
from stellars_testing.accounts import FULL_COST, password_costs
from stellars_testing.components import require
from stellars_testing.hub import stop_hub

ADMIN = "admin"
ADMIN_PASSWORD = "throttle-admin-secret"
PASSWORD = "a-long-enough-passphrase"
WRONG = "a-wrong-guess-here"
THRESHOLD = 3
# Failed logins of known and of unknown names, taken in turns, timed.
TIMED_TURNS = 5

# The login throttle, and the time an unknown name's failure takes against a
# known one's: its hubs check passwords at an installation's cost.
pytestmark = pytest.mark.real_password_cost


def _config(trusted_proxies=()) -> str:
    return textwrap.dedent(f"""
        c.JupyterHub.authenticator_class = "stellars"
        c.JupyterHub.spawner_class = "simple"
        c.Authenticator.admin_users = {{{ADMIN!r}}}
        c.Authenticator.allow_all = True
        c.StellarsNativeAuthenticator.initial_admin_password = {ADMIN_PASSWORD!r}
        c.StellarsNativeAuthenticator.lockout_failures = {THRESHOLD}
        c.StellarsNativeAuthenticator.lockout_seconds = 600
        c.StellarsNativeAuthenticator.trusted_proxies = {list(trusted_proxies)!r}
    """)


def _outside_address() -> str:
    """Return a non-loopback address of this machine (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.254", 9))
        address = probe.getsockname()[0]
    except OSError:
        address = ""
    finally:
        probe.close()
    if not address or address.startswith("127."):
        require("a non-loopback IPv4 address", "none on this machine", "Run on a networked host.")
    return address


class _FromAddress(HTTPAdapter):
    """Sends from *source*, as a lab container's requests arrive from its own address."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def _session(hub, *, route="proxy", source=None, forwarded=None):
    target = dataclasses.replace(hub, url=hub.direct_url) if route == "direct" else hub
    session = HubSession(target)
    if source:
        session.mount("http://", _FromAddress(source))
    if forwarded:
        session.headers["X-Forwarded-For"] = forwarded
    return session


def _error_of(page) -> str:
    match = re.search(r'class="login_error"[^>]*>([^<]*)<', page.text)
    assert match, page.text
    return match.group(1).strip()


def _logged_in(response) -> bool:
    return response.status_code == 200 and "/hub/login" not in response.url


def _throttled(response, username) -> bool:
    return (
        response.status_code == 429
        and "Too many attempts, try again in 1 minute" in response.text
        and f'value="{username}"' in response.text
        and "Invalid username or password" not in response.text
    )


@pytest.fixture(scope="module")
def hub(module_hub_factory):
    return module_hub_factory(_config())


@pytest.fixture(scope="module")
def admin(hub):
    session = HubSession(hub)
    assert _logged_in(session.log_in(ADMIN, ADMIN_PASSWORD))
    return session


def _account(hub, admin, username):
    HubSession(hub).sign_up(username, PASSWORD).raise_for_status()
    admin.authorize(username).raise_for_status()
    return username


@pytest.mark.parametrize("route", ["proxy", "direct"])
def test_a_new_forged_address_per_guess_does_not_escape_the_throttle(hub, admin, route):
    victim = _account(hub, admin, f"target-{route}")
    outside = _outside_address()
    for n in range(THRESHOLD):
        lab = _session(hub, route=route, source=outside, forwarded=f"203.0.113.{n + 1}")
        failed = lab.log_in(victim, WRONG)
        assert failed.status_code == 403
        assert f'value="{victim}"' in failed.text  # the username stays in the form
    lab = _session(hub, route=route, source=outside, forwarded="203.0.113.200")
    assert _throttled(lab.log_in(victim, PASSWORD), victim)


@pytest.mark.parametrize("route", ["proxy", "direct"])
def test_forged_failures_at_the_users_address_do_not_lock_their_browser_out(hub, admin, route):
    victim = _account(hub, admin, f"owner-{route}")
    # The owner logs in from home, through the proxy (loopback is the trusted proxy).
    browser = _session(hub)
    browser.headers["X-Forwarded-For"] = "198.51.100.7"
    assert _logged_in(browser.log_in(victim, PASSWORD))
    browser.get(browser.hub.hub_url("logout"), timeout=30)
    outside = _outside_address()
    for _ in range(THRESHOLD + 2):
        lab = _session(hub, route=route, source=outside, forwarded="198.51.100.7")
        assert not _logged_in(lab.log_in(victim, WRONG))
    assert _throttled(_session(hub).log_in(victim, PASSWORD), victim)  # a stranger's browser
    assert _logged_in(browser.log_in(victim, PASSWORD))  # the owner's


def test_throttled_unknown_and_known_names_answer_alike(hub, admin):
    known = _account(hub, admin, "known-name")
    answers = {}
    for username in (known, "no-such-account"):
        for _ in range(THRESHOLD):
            assert _session(hub).log_in(username, WRONG).status_code == 403
        answer = _session(hub).log_in(username, WRONG)
        assert _throttled(answer, username)
        answers[username] = (int(answer.headers["Retry-After"]), _error_of(answer))
    (known_wait, known_error), (unknown_wait, unknown_error) = answers.values()
    assert known_error == unknown_error
    # The same back-off, asked a moment apart: the seconds left may differ by one.
    assert abs(known_wait - unknown_wait) <= 1


def test_many_addresses_behind_a_trusted_proxy_are_bounded_per_account(hub_factory):
    outside = _outside_address()
    hub = hub_factory(_config(trusted_proxies=[outside]))
    # The operator's proxy (at *outside*) reaches the hub's own port; every
    # guess comes from another client address, as it says.
    for n in range(THRESHOLD):
        proxy = _session(hub, route="direct", source=outside, forwarded=f"203.0.113.{n + 1}")
        assert not _logged_in(proxy.log_in(ADMIN, WRONG))
    proxy = _session(hub, route="direct", source=outside, forwarded="203.0.113.99")
    assert _throttled(proxy.log_in(ADMIN, ADMIN_PASSWORD), ADMIN)


def _counts_survive_a_restart(hub_factory, db_url):
    first = hub_factory(_config(), db_url=db_url)
    for n in range(THRESHOLD):
        assert not _logged_in(_session(first, forwarded=f"203.0.113.{n}").log_in(ADMIN, WRONG))
    stop_hub(first)
    second = hub_factory(_config(), db_url=db_url)
    assert _throttled(_session(second).log_in(ADMIN, ADMIN_PASSWORD), ADMIN)


def test_counts_survive_a_hub_restart_on_sqlite(hub_factory, tmp_path):
    _counts_survive_a_restart(hub_factory, f"sqlite:///{tmp_path / 'restart.sqlite'}")


def test_counts_survive_a_hub_restart_on_postgresql(hub_factory, postgres_db_url):
    _counts_survive_a_restart(hub_factory, postgres_db_url)


def test_an_unknown_name_costs_a_password_check_like_a_known_one(hub, admin):
    # Without the check against a stand-in hash an unknown name answers at
    # once and a known one after bcrypt (about 50 times longer here): the
    # time alone would tell who has an account. The two kinds take turns, so
    # that a busy machine slows both alike (three of each, one after the
    # other, once measured 0.50 s against 1.31 s), and the bound sits far
    # from both what the check costs (a ratio near 1) and what its absence
    # would (near 0.02).
    def failure_seconds(username):
        session = _session(hub)
        started = time.perf_counter()
        assert not _logged_in(session.log_in(username, WRONG))
        return time.perf_counter() - started

    known = [_account(hub, admin, f"timed-{n}") for n in range(TIMED_TURNS)]
    unknown = [f"never-signed-up-{n}" for n in range(TIMED_TURNS)]
    # What the timings stand for: the hub's own cost, as an installation hashes.
    assert set(password_costs(hub.db_url, known).values()) == {FULL_COST}
    known_timings, unknown_timings = [], []
    for known_name, unknown_name in zip(known, unknown, strict=True):
        known_timings.append(failure_seconds(known_name))
        unknown_timings.append(failure_seconds(unknown_name))
    known_s = statistics.median(known_timings)
    unknown_s = statistics.median(unknown_timings)
    assert known_s > 0.05, "the known names' failures should include a bcrypt check"
    assert unknown_s > 0.25 * known_s, (unknown_timings, known_timings)
