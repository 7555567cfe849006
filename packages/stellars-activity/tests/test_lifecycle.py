from datetime import UTC, datetime, timedelta

import pytest
from jupyterhub import orm
from sqlalchemy import select

from stellars_activity import ActivitySample, ActivitySettings, ActivityStore, register_lifecycle
from stellars_activity.schema import HISTORY
from stellars_testing.schema import migrate

SETTINGS = ActivitySettings()
T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def hub_db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


@pytest.fixture
def hub_db(hub_db_url):
    """A session of a real JupyterHub database (JupyterHub's own tables)."""
    session_factory = orm.new_session_factory(hub_db_url)
    session = session_factory()
    yield session
    session.close()
    session.get_bind().dispose()


def lifecycle_store(url):
    store = ActivityStore(url, SETTINGS)
    migrate(store.engine, HISTORY)
    uninstall = register_lifecycle(store)
    return store, uninstall


@pytest.fixture
def shared(hub_db, hub_db_url):
    """The store on the hub's database, with the listeners installed."""
    store, uninstall = lifecycle_store(hub_db_url)
    yield store
    uninstall()
    store.engine.dispose()


@pytest.fixture
def separate(hub_db, tmp_path):
    """The store on a database of its own, with the listeners installed."""
    store, uninstall = lifecycle_store(f"sqlite:///{tmp_path / 'activity.sqlite'}")
    yield store
    uninstall()
    store.engine.dispose()


def samples_of(store, using=None):
    query = select(ActivitySample.username, ActivitySample.timestamp)
    if using is not None:
        rows = using.execute(query).all()
    else:
        with store.engine.connect() as connection:
            rows = connection.execute(query).all()
    counts = {}
    for username, _ in rows:
        counts[username] = counts.get(username, 0) + 1
    return counts


def add_hub_user(session, name):
    user = orm.User(name=name)
    session.add(user)
    session.commit()
    return user


def test_a_created_user_gets_an_initial_sample_in_the_hubs_transaction(hub_db, shared):
    user = orm.User(name="ada")
    hub_db.add(user)
    hub_db.flush()
    # Written through the hub's own connection, not yet committed.
    assert samples_of(shared, using=hub_db) == {"ada": 1}
    hub_db.rollback()
    assert samples_of(shared) == {}
    add_hub_user(hub_db, "ada")
    assert samples_of(shared) == {"ada": 1}
    score = shared.scores(datetime.now(UTC), ["ada"])["ada"]
    assert score.score == 0.0  # the initial sample is inactive


def test_a_rename_moves_the_samples_in_the_hubs_transaction(hub_db, shared):
    user = add_hub_user(hub_db, "ada")
    shared.record_tick({"ada": True, "bob": True}, T0)

    user.name = "ada-lovelace"
    hub_db.flush()
    assert samples_of(shared, using=hub_db) == {"ada-lovelace": 2, "bob": 1}
    hub_db.rollback()
    assert samples_of(shared) == {"ada": 2, "bob": 1}

    hub_db.refresh(user)
    user.name = "ada-lovelace"
    hub_db.commit()
    assert samples_of(shared) == {"ada-lovelace": 2, "bob": 1}
    assert set(shared.scores(T0 + timedelta(minutes=1))) == {"ada-lovelace", "bob"}


def test_a_delete_removes_the_samples_in_the_hubs_transaction(hub_db, shared):
    user = add_hub_user(hub_db, "ada")
    add_hub_user(hub_db, "bob")
    shared.record_tick({"ada": True, "bob": False}, T0)
    hub_db.delete(user)
    hub_db.flush()
    assert samples_of(shared, using=hub_db) == {"bob": 2}
    hub_db.rollback()
    assert samples_of(shared) == {"ada": 2, "bob": 2}
    hub_db.delete(hub_db.get(orm.User, user.id))
    hub_db.commit()
    assert samples_of(shared) == {"bob": 2}


def test_other_updates_of_a_user_change_nothing(hub_db, shared):
    user = add_hub_user(hub_db, "ada")
    user.admin = True
    user.last_activity = datetime.now(UTC).replace(tzinfo=None)
    hub_db.commit()
    assert samples_of(shared) == {"ada": 1}


def test_registering_twice_is_harmless_and_uninstalling_stops_it(hub_db, hub_db_url, shared):
    uninstall_again = register_lifecycle(shared)
    user = add_hub_user(hub_db, "ada")
    shared.record_tick({"ada": True}, T0)
    user.name = "ada-lovelace"
    hub_db.commit()
    assert samples_of(shared) == {"ada-lovelace": 2}
    uninstall_again()
    uninstall_again()  # a second call does nothing
    hub_db.delete(user)
    hub_db.commit()
    assert samples_of(shared) == {}


def test_after_uninstalling_the_hub_changes_nothing(hub_db, hub_db_url):
    store, uninstall = lifecycle_store(hub_db_url)
    uninstall()
    add_hub_user(hub_db, "ada")
    assert samples_of(store) == {}
    store.engine.dispose()


def test_on_another_database_changes_follow_the_hubs_commit(hub_db, separate):
    user = orm.User(name="ada")
    hub_db.add(user)
    hub_db.flush()
    assert samples_of(separate) == {}  # not before the hub's commit
    hub_db.rollback()
    assert samples_of(separate) == {}  # and never after its rollback

    user = add_hub_user(hub_db, "ada")
    assert samples_of(separate) == {"ada": 1}
    separate.record_tick({"ada": True}, T0)

    user.name = "ada-lovelace"
    hub_db.flush()
    hub_db.rollback()
    assert samples_of(separate) == {"ada": 2}

    hub_db.refresh(user)
    user.name = "ada-lovelace"
    hub_db.commit()
    assert samples_of(separate) == {"ada-lovelace": 2}

    hub_db.delete(user)
    hub_db.commit()
    assert samples_of(separate) == {}
