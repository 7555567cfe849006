"""Sign-ups waiting on the previous release's database, after a hub of this checkout starts on it.

The previous release kept no time of a sign-up. Its database (built by
``stellars_testing.release_db``) gets NativeAuthenticator's accounts as that
release's hub made them: a pending sign-up, an authorised one. A real hub of
this checkout then starts on it (migration ``stellars_auth_0002`` runs): the
authorization area lists the waiting applicant as having applied "before"
the upgrade's date, the navbar counts them, and a sign-up made after the
upgrade has its minute. Nothing crashes, nobody's account changes.
"""

import re
from datetime import UTC, datetime

import bcrypt
import pytest
from nativeauthenticator.orm import Base as AccountsBase
from nativeauthenticator.orm import UserInfo
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from stellars_testing import HubSession
from stellars_testing.release_db import build_release_database

ADMIN = "boss"
PASSWORD = "upgrade-test-passphrase"
LOCAL = {
    "JUPYTERHUB_SPAWNER": "local",
    "JUPYTERHUB_ADMIN": ADMIN,
    "JUPYTERHUB_ADMIN_PASSWORD": PASSWORD,
    "JUPYTERHUB_GPU_ENABLED": "0",
}
APPLICANT_PASSWORD = "an-old-applicants-passphrase"


@pytest.fixture(scope="module")
def hub(module_platform_hub, release_db_url):
    build_release_database(release_db_url)
    engine = create_engine(release_db_url)
    try:
        # What the previous release's NativeAuthenticator made of two sign-ups.
        AccountsBase.metadata.create_all(engine)
        hashed = bcrypt.hashpw(APPLICANT_PASSWORD.encode(), bcrypt.gensalt(4))
        with Session(engine) as session:
            session.add(UserInfo(username="oldtimer", password=hashed, is_authorized=False))
            session.add(UserInfo(username="approved", password=hashed, is_authorized=True))
            session.commit()
    finally:
        engine.dispose()
    return module_platform_hub(LOCAL, db_url=release_db_url)


APPLIED_CELL = re.compile(
    r'data-username="([^"]+)".*?data-testid="applied" title="([^"]*)"', re.DOTALL
)


def _rows(text):
    return dict(APPLIED_CELL.findall(text))


def test_applicants_from_before_the_upgrade_applied_before_it(hub):
    admin = HubSession(hub)
    assert "/hub/home" in admin.log_in(ADMIN, PASSWORD).url
    upgraded = datetime.now(UTC)
    assert HubSession(hub).sign_up("newbie", APPLICANT_PASSWORD).ok

    area = admin.get(hub.hub_url("authorize"), timeout=30)
    assert area.status_code == 200, area.text
    pending, _authorized = area.text.split('id="stellars-authorized"')
    applied = _rows(pending)
    assert applied["oldtimer"].strip() == f"before {upgraded:%Y-%m-%d}"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", applied["newbie"].strip())
    assert "approved" not in applied
    assert 'data-testid="stellars-approvals-count">2<' in area.text


def test_the_old_applicant_is_told_to_wait_then_logs_in_once_approved(hub):
    applicant = HubSession(hub)
    waiting = applicant.log_in("oldtimer", APPLICANT_PASSWORD)
    assert "has not been authorized by an administrator yet" in waiting.text
    admin = HubSession(hub)
    admin.log_in(ADMIN, PASSWORD)
    assert admin.authorize("oldtimer").ok
    assert "/hub/home" in applicant.log_in("oldtimer", APPLICANT_PASSWORD).url
    assert "/hub/home" in HubSession(hub).log_in("approved", APPLICANT_PASSWORD).url
