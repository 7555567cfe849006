"""The broadcast credential against JupyterHub's own ORM: scoped, short-lived, and gone after."""

from datetime import timedelta

import pytest
from jupyterhub import orm
from jupyterhub.roles import assign_default_roles, create_role, get_default_roles, grant_role
from jupyterhub.scopes import get_scopes_for

from stellars_ui.broadcasts import SenderMissingError, sender_service, server_access_token

SENDER = "stellars-notifications"


@pytest.fixture
def db():
    session = orm.new_session_factory("sqlite://")()
    # JupyterHub's start-up does these: its default roles, and the OAuth client tokens belong to.
    for role in get_default_roles():
        create_role(session, role)
    session.add(orm.OAuthClient(identifier="jupyterhub"))
    service_entry, role_entry = sender_service(SENDER)
    service = orm.Service(name=service_entry["name"])
    session.add(service)
    for name in ("ada", "bo", "cy"):
        session.add(orm.User(name=name))
    session.commit()
    create_role(session, {k: v for k, v in role_entry.items() if k != "services"})
    grant_role(session, service, role_entry["name"])
    for user in session.query(orm.User):
        assign_default_roles(session, user)
    yield session
    session.close()


def sender_tokens(db):
    return db.query(orm.APIToken).filter(orm.APIToken.service != None).all()  # noqa: E711


def test_the_sender_service_holds_access_to_servers_and_nothing_else():
    service, role = sender_service(SENDER)
    assert service == {"name": SENDER, "display": False}
    assert role["scopes"] == ["access:servers"]
    assert role["services"] == [SENDER]


def test_the_token_reaches_only_the_target_servers_and_expires_soon(db):
    with server_access_token(db, SENDER, [("ada", ""), ("bo", "gpu")], timeout_s=5.5) as token:
        found = orm.APIToken.find(db, token)
        assert found is not None
        assert found.service.name == SENDER
        assert sorted(found.scopes) == [
            "access:servers!server=ada/",
            "access:servers!server=bo/gpu",
        ]
        scopes = get_scopes_for(found)
        assert "access:servers!server=ada/" in scopes
        assert not any("cy" in scope for scope in scopes)
        assert not any(scope.startswith(("admin", "read:", "servers", "users")) for scope in scopes)
        lifetime = found.expires_at - found.created
        assert timedelta(seconds=60) < lifetime <= timedelta(seconds=67)
    assert sender_tokens(db) == []


def test_the_token_is_deleted_when_the_fan_out_fails(db):
    def fan_out_that_fails():
        with server_access_token(db, SENDER, [("ada", "")], timeout_s=1) as token:
            assert orm.APIToken.find(db, token) is not None
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fan_out_that_fails()
    assert sender_tokens(db) == []


def test_a_hub_without_the_sender_service_says_so(db):
    with (
        pytest.raises(SenderMissingError, match="no-such-service"),
        server_access_token(db, "no-such-service", [("ada", "")], timeout_s=1),
    ):
        pass
