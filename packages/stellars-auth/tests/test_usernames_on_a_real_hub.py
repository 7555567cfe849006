"""The username policy on a real hub, through the proxy: sign-up form, admin API, legacy names."""

import textwrap
from urllib.parse import quote

import bcrypt
import pytest
from jupyterhub import orm
from nativeauthenticator.orm import UserInfo
from sqlalchemy import create_engine, text

from stellars_testing import HubSession
from stellars_testing.hub import stop_hub

ADMIN = "admin"
PASSWORD = "first-start-secret"
SIGNUP_PASSWORD = "correct-horse-battery"


def _config() -> str:
    return textwrap.dedent(f"""
        c.JupyterHub.authenticator_class = "stellars"
        c.JupyterHub.spawner_class = "simple"
        c.Authenticator.admin_users = {{{ADMIN!r}}}
        c.Authenticator.allow_all = True
        c.NativeAuthenticator.enable_signup = True
        c.StellarsNativeAuthenticator.initial_admin_password = {PASSWORD!r}
    """)


@pytest.fixture(scope="module")
def hub(module_hub_factory):
    return module_hub_factory(_config())


def _accounts(hub) -> set[str]:
    engine = create_engine(hub.db_url)
    try:
        with engine.connect() as db:
            return {row[0] for row in db.execute(text("SELECT username FROM users_info"))}
    finally:
        engine.dispose()


def _user_exists(hub, name: str) -> bool:
    return hub.api("GET", f"users/{quote(name, safe='')}").status_code == 200


SIGN_UPS = [
    ("zero-width", "admin\u200b", "U+200B (ZERO WIDTH SPACE)"),
    ("bidi-override", "evil\u202eexe", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("cyrillic", "\u0430dmin", "U+0430 (CYRILLIC SMALL LETTER A)"),
    ("lookalike", "adrnin", "looks like the existing username &#39;admin&#39;"),
    ("too-long", "n" * 10_000, "10000 characters long; at most 64"),
    # Tornado turns control characters of form fields into spaces: the ESC
    # never arrives, and the space it became is refused.
    ("ansi", "\x1b[31mred", "U+0020 (SPACE)"),
]


@pytest.mark.parametrize(
    ("name", "reason"), [c[1:] for c in SIGN_UPS], ids=[c[0] for c in SIGN_UPS]
)
def test_the_sign_up_form_shows_why_a_name_is_refused(hub, name, reason):
    page = HubSession(hub).sign_up(name, SIGNUP_PASSWORD)
    assert page.status_code == 200
    assert "Invalid username:" in page.text
    assert reason in page.text
    assert name not in _accounts(hub)


def test_a_full_width_admin_sign_up_is_the_admin_name_and_taken(hub):
    page = HubSession(hub).sign_up("\uff41\uff44\uff4d\uff49\uff4e", SIGNUP_PASSWORD)
    assert "already in use" in page.text


def test_an_ordinary_sign_up_still_works(hub):
    page = HubSession(hub).sign_up("new.person", SIGNUP_PASSWORD)
    assert "Invalid username" not in page.text
    assert "new.person" in _accounts(hub)


BATCHES = [
    ("too-long", ["ok-one", "x" * 10_000], "10000 characters long"),
    ("zero-width", ["admin\u200b"], "U+200B"),
    ("cyrillic", ["\u0430dmin"], "U+0430 (CYRILLIC SMALL LETTER A)"),
    ("lookalike", ["adrnin"], "looks like the existing username 'admin'"),
    ("ansi", ["\x1b[2Jwiped"], "U+001B"),
]


@pytest.mark.parametrize(("names", "reason"), [c[1:] for c in BATCHES], ids=[c[0] for c in BATCHES])
def test_post_users_refuses_with_the_reason_in_json(hub, names, reason):
    response = hub.api("POST", "users", json={"usernames": names})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == 400
    assert reason in body["message"]
    assert not any(_user_exists(hub, name) for name in names)  # nothing partially applied


ONE_USER = [
    ("too-long", "x" * 300, "300 characters long"),
    ("zero-width", "admin\u200b", "U+200B"),
    ("bidi-override", "a\u202eb", "U+202E"),
    ("cyrillic", "\u0430dmin", "U+0430"),
    ("lookalike", "adrnin", "looks like the existing username 'admin'"),
    ("ansi", "\x1b[31mred", "U+001B"),
]


@pytest.mark.parametrize(
    ("name", "reason"), [c[1:] for c in ONE_USER], ids=[c[0] for c in ONE_USER]
)
def test_post_one_user_refuses_with_the_reason_in_json(hub, name, reason):
    response = hub.api("POST", f"users/{quote(name, safe='')}")
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == 400
    assert reason in body["message"]
    assert not _user_exists(hub, name)


def test_the_admin_still_creates_ordinary_names(hub):
    batch = hub.api("POST", "users", json={"usernames": ["carol", "dave.smith-2"]})
    assert batch.status_code == 201, batch.text
    single = hub.api("POST", "users/erin@team")
    assert single.status_code == 201, single.text
    assert all(_user_exists(hub, name) for name in ("carol", "dave.smith-2", "erin@team"))


def test_one_user_by_full_width_name_is_created_normalised(hub):
    response = hub.api("POST", f"users/{quote(chr(0xFF26) + 'rank', safe='')}")
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "frank"


def test_a_rename_is_held_to_the_policy(hub):
    hub.api("POST", "users/grace").raise_for_status()
    response = hub.api("PATCH", "users/grace", json={"name": "gr\u0430ce\u200b"})
    assert response.status_code == 400
    assert "U+0430" in response.json()["message"] or "U+200B" in response.json()["message"]


def test_no_raw_escape_reaches_the_log(hub):
    HubSession(hub).sign_up("\x1b[31mlogme", SIGNUP_PASSWORD)
    hub.api("POST", "users", json={"usernames": ["\x1b[32mlogme"]})
    HubSession(hub).log_in("\x1b[33mlogme", "wrong-password")
    # The proxy colours its own lines; the hub's lines naming these users must not.
    lines = [line for line in hub.log_since_start().splitlines() if "logme" in line]
    assert lines
    assert not [line for line in lines if "\x1b" in line]


LEGACY = ["legacy\u200bname", "l" * 200]


def test_existing_users_with_names_the_policy_refuses_still_log_in(hub_factory, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'legacy.sqlite'}"
    stop_hub(hub_factory(_config(), db_url=db_url))
    hashed = bcrypt.hashpw(SIGNUP_PASSWORD.encode(), bcrypt.gensalt())
    db = orm.new_session_factory(db_url)()
    # Written around the policy, as an installation from before it would hold them.
    for name in LEGACY:
        db.add(orm.User(name=name))
        db.add(UserInfo(username=name, password=hashed, is_authorized=True))
    db.commit()
    db.close()
    hub = hub_factory(_config(), db_url=db_url)
    for name in LEGACY:
        home = HubSession(hub).log_in(name, SIGNUP_PASSWORD)
        assert home.status_code == 200, hub.log_tail()
        assert home.url.endswith("/home"), hub.log_tail()
    # A new name confusable with a legacy one is refused all the same.
    response = hub.api("POST", "users", json={"usernames": ["legacy"]})
    assert response.status_code == 201, response.text
