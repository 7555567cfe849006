"""A 200-character username never makes a page wider than the window (1280 and 390 px).

The name is written into the hub's database before the hub starts, around
the username policy, as an installation from before the policy would hold
it; it still logs in, and every page that lists users shows it wrapped or
cut, with the whole name in a title attribute.
"""

import os
from pathlib import Path

import bcrypt
import pytest
from accounts import local_platform
from jupyterhub import orm
from nativeauthenticator.orm import UserInfo

from stellars_testing.browser import SCREENSHOTS_VARIABLE, visit

ADMIN = "admin"
ADMIN_PASSWORD = "long-names-admin-password"
LONG = "m" * 100 + "w" * 100  # 200 wide letters and nowhere to break a line
PASSWORD = "long-name-passphrase"
ENVIRON = local_platform(ADMIN, ADMIN_PASSWORD)
WIDTHS = [1280, 390]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def hub(module_platform_hub, tmp_path_factory):
    db_url = f"sqlite:///{tmp_path_factory.mktemp('long-names') / 'jupyterhub.sqlite'}"
    # JupyterHub's schema (stamped as current), NativeAuthenticator's table, and
    # the legacy user in both, before the hub ever starts.
    db = orm.new_session_factory(db_url)()
    UserInfo.__table__.create(db.get_bind(), checkfirst=True)
    db.add(orm.User(name=LONG))
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt())
    db.add(UserInfo(username=LONG, password=hashed, is_authorized=True))
    db.commit()
    db.close()
    return module_platform_hub(ENVIRON, db_url=db_url)


@pytest.fixture(scope="module")
def running_long_named_server(hub):
    """The long-named user's server runs, so the notifications page lists them."""
    hub.api("POST", f"users/{LONG}/server").raise_for_status()
    hub.wait_for_server(LONG, running=True)
    return LONG


def _assert_fits(page, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)  # a re-layout after the resize
        folder = os.environ.get(SCREENSHOTS_VARIABLE)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=Path(folder) / f"long-username-{name}-{width}.png", full_page=True)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{name} at {width} px is {scroll} px wide"


def _shows_the_whole_name(page) -> None:
    # Wrapped, the name is all on the page; cut, it is whole in a title.
    titled = page.locator(f'[title="{LONG}"]').count()
    assert titled or LONG in page.locator("body").inner_text()


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("admin", f"text={LONG[:30]}"),
        ("authorize", f"text={LONG[:30]}"),
        ("activity", f"text={LONG[:30]}"),
        ("notifications", "#stellars-broadcast-servers [data-username]"),
    ],
    ids=["admin", "authorize", "activity", "notifications"],
)
def test_admin_pages_keep_a_long_name_inside_the_window(
    hub, running_long_named_server, logged_in_page, path, ready
):
    page = logged_in_page(hub, ADMIN, ADMIN_PASSWORD)
    visit(page, hub.hub_url(path))
    page.locator(ready).first.wait_for(timeout=TIMEOUT_MS)
    _assert_fits(page, path)
    _shows_the_whole_name(page)


def test_the_long_named_user_logs_in_and_their_home_page_fits(hub, logged_in_page):
    page = logged_in_page(hub, LONG, PASSWORD)
    visit(page, hub.hub_url("home"))
    page.locator("body").wait_for(timeout=TIMEOUT_MS)
    assert "/hub/home" in page.url
    _assert_fits(page, "home")
    assert page.locator(f'#login_widget [title="{LONG}"]').count() == 1
