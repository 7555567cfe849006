"""Accounts an admin creates in a batch: usable at once, hashed at full cost soon after.

On a real hub database (SQLite, as JupyterHub hands its authenticator); the
whole batch on a real hub is in tests/integration/test_credentials_api.py.
"""

import asyncio
import sqlite3

import bcrypt
import pytest
from jupyterhub import orm
from traitlets import TraitError

from stellars_auth.authenticator import StellarsNativeAuthenticator
from stellars_auth.passwords import FULL_COST, PROVISIONAL_COST, cost_of


def _authenticator(tmp_path, password_hash_cost=FULL_COST, **engine):
    session = orm.new_session_factory(f"sqlite:///{tmp_path / 'hub.sqlite'}", **engine)()
    return StellarsNativeAuthenticator(
        allow_all=True, password_hash_cost=password_hash_cost, _deprecated_db_session=session
    )


async def _new_user(authenticator, name):
    user = orm.User(name=name)
    authenticator.db.add(user)
    authenticator.db.commit()
    await authenticator.add_user(user)
    return authenticator.credentials.take([name]).passwords[name]


async def _settled(authenticator):
    await asyncio.gather(*authenticator._strengthening)


def _stored(authenticator, name):
    return authenticator.get_user(name).password


def test_a_new_account_is_usable_at_once_and_hashed_at_full_cost_soon_after(tmp_path):
    authenticator = _authenticator(tmp_path)

    async def scenario():
        password = await _new_user(authenticator, "ada")
        assert cost_of(_stored(authenticator, "ada")) == PROVISIONAL_COST
        assert await authenticator.authenticate(None, {"username": "ada", "password": password})
        await _settled(authenticator)
        stored = _stored(authenticator, "ada")
        assert cost_of(stored) == FULL_COST
        assert bcrypt.checkpw(password.encode(), stored)

    asyncio.run(scenario())


def test_a_password_changed_before_the_rehash_is_kept(tmp_path):
    authenticator = _authenticator(tmp_path)

    async def scenario():
        await _new_user(authenticator, "bob")
        assert await authenticator.set_password("bob", "bobs-own-long-passphrase")
        await _settled(authenticator)
        stored = _stored(authenticator, "bob")
        assert bcrypt.checkpw(b"bobs-own-long-passphrase", stored)
        assert cost_of(stored) == FULL_COST

    asyncio.run(scenario())


def test_a_provisional_hash_left_by_a_restart_is_strengthened_at_login(tmp_path):
    authenticator = _authenticator(tmp_path)

    async def scenario():
        password = await _new_user(authenticator, "cyd")
        # The hub stopped before the background re-hash: only the provisional hash is stored.
        for task in authenticator._strengthening:
            task.cancel()
        await asyncio.gather(*authenticator._strengthening, return_exceptions=True)
        assert cost_of(_stored(authenticator, "cyd")) == PROVISIONAL_COST
        assert not await authenticator.authenticate(None, {"username": "cyd", "password": "no"})
        assert not authenticator._strengthening
        assert await authenticator.authenticate(None, {"username": "cyd", "password": password})
        await _settled(authenticator)
        assert cost_of(_stored(authenticator, "cyd")) == FULL_COST

    asyncio.run(scenario())


def test_a_rehash_the_database_refuses_is_stored_once_it_accepts(tmp_path):
    # The hub's SQLite file held by another writer (a long import, a backup):
    # the session gives up on the lock after 0.1 s instead of SQLite's 5 s.
    authenticator = _authenticator(tmp_path, connect_args={"timeout": 0.1})
    authenticator.strengthen_retry_s = 0.5

    async def scenario():
        await _new_user(authenticator, "dee")
        writer = sqlite3.connect(tmp_path / "hub.sqlite")
        try:
            writer.execute("BEGIN IMMEDIATE")
            # Past the quiet second, the full-cost hash and a first refused write.
            await asyncio.sleep(2.5)
            stored = writer.execute("SELECT password FROM users_info WHERE username = 'dee'")
            assert cost_of(stored.fetchone()[0]) == PROVISIONAL_COST
        finally:
            writer.rollback()
            writer.close()
        await _settled(authenticator)
        assert cost_of(_stored(authenticator, "dee")) == FULL_COST

    asyncio.run(scenario())


def test_the_full_cost_is_nativeauthenticators_unless_configured():
    trait = StellarsNativeAuthenticator.class_traits()["password_hash_cost"]
    assert trait.default_value == FULL_COST


@pytest.mark.parametrize("cost", [PROVISIONAL_COST, 32])
def test_a_full_cost_at_or_below_the_provisional_one_or_beyond_bcrypts_is_refused(cost):
    with pytest.raises(TraitError, match="password_hash_cost must be within 7 and 31"):
        StellarsNativeAuthenticator(password_hash_cost=cost)


def test_at_a_configured_cost_everything_is_hashed_at_it(tmp_path):
    authenticator = _authenticator(tmp_path, password_hash_cost=7)

    async def scenario():
        password = await _new_user(authenticator, "eve")
        assert cost_of(_stored(authenticator, "eve")) == PROVISIONAL_COST
        await _settled(authenticator)
        assert cost_of(_stored(authenticator, "eve")) == 7
        assert await authenticator.authenticate(None, {"username": "eve", "password": password})
        assert await authenticator.set_password("eve", "eves-own-long-passphrase")
        assert cost_of(_stored(authenticator, "eve")) == 7
        # An unknown name is checked against a stand-in at the same cost.
        assert not await authenticator.authenticate(None, {"username": "nobody", "password": "x"})

    asyncio.run(scenario())
