"""The ownership tables in a real hub database, SQLite and PostgreSQL."""

from jupyterhub import orm

from stellars_docker.ownership import owner_of
from stellars_docker.ownership_store import (
    ADOPTED,
    ASSIGNED,
    Account,
    account_of,
    deleted_accounts,
    existing_accounts,
    forget_volume,
    last_deleted_named,
    owner_record,
    record_owner,
)


def _add_user(db, name):
    user = orm.User(name=name)
    db.add(user)
    db.commit()
    return user


def test_a_deleted_account_is_recorded_in_the_hubs_delete(hub_db):
    alice = _add_user(hub_db, "alice")
    first = account_of(hub_db, alice.id)
    hub_db.delete(alice)
    hub_db.commit()
    recorded = deleted_accounts(hub_db)
    assert list(recorded) == [first.identity]
    assert recorded[first.identity].account.name == "alice"
    assert last_deleted_named(hub_db, "alice").account == first


def test_a_rolled_back_delete_records_nothing(hub_db):
    alice = _add_user(hub_db, "alice")
    hub_db.delete(alice)
    hub_db.flush()
    hub_db.rollback()
    assert deleted_accounts(hub_db) == {}


def test_a_later_account_of_the_same_name_has_another_identity(hub_db):
    first = account_of(hub_db, _add_user(hub_db, "alice").id)
    hub_db.delete(hub_db.query(orm.User).filter_by(name="alice").one())
    hub_db.commit()
    second = account_of(hub_db, _add_user(hub_db, "alice").id)
    assert first.identity != second.identity
    assert set(existing_accounts(hub_db)) == {second.identity}


def test_an_identity_reads_the_same_after_a_restart(hub_db, db_url):
    alice = _add_user(hub_db, "alice")
    before = account_of(hub_db, alice.id)
    other = orm.new_session_factory(db_url)()
    try:
        assert account_of(other, alice.id) == before
    finally:
        other.close()


def test_an_assignment_overrides_the_labels_and_an_adoption_does_not(hub_db):
    old, new = Account("1-old", "alice"), Account("2-new", "alice")
    labels = {"org.stellars-hub.owner": old.identity, "org.stellars-hub.owner-name": "alice"}
    record_owner(hub_db, "v", new, ADOPTED)
    assert owner_of(labels, owner_record(hub_db, "v")) == old
    record_owner(hub_db, "v", new, ASSIGNED)
    assert owner_of(labels, owner_record(hub_db, "v")) == new
    forget_volume(hub_db, "v")
    assert owner_record(hub_db, "v") is None
    assert owner_of({}, None) is None
