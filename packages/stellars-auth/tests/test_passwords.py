import asyncio

import bcrypt
import pytest

from stellars_auth import generate_passphrase
from stellars_auth.passphrases import _eff_words
from stellars_auth.passwords import (
    _BACKGROUND,
    _FOREGROUND,
    FULL_COST,
    PROVISIONAL_COST,
    PasswordWork,
    _Turns,
    cost_of,
    default_workers,
    is_provisional,
)


def test_a_hash_checks_against_its_password_only():
    work = PasswordWork()
    stored = asyncio.run(work.hash("correct horse"))
    assert asyncio.run(work.check("correct horse", stored))
    assert not asyncio.run(work.check("wrong horse", stored))


def test_a_core_is_left_to_the_hub():
    assert default_workers() >= 1
    assert PasswordWork().workers == default_workers()


def test_passphrases_are_words_of_the_eff_list_and_differ():
    passphrases = {generate_passphrase() for _ in range(50)}
    assert len(passphrases) == 50
    for passphrase in passphrases:
        words = passphrase.split("-")
        assert len(words) == 4
        assert all(word.isalpha() and word.islower() and 3 <= len(word) <= 9 for word in words)


def test_words_and_delimiter_are_chosen_but_never_fewer_than_four_words():
    assert len(generate_passphrase(6, ".").split(".")) == 6
    with pytest.raises(ValueError, match="at least 4"):
        generate_passphrase(3)


def test_only_words_of_letters_are_drawn():
    # A few EFF words have a hyphen, which would blur a "-"-joined passphrase.
    words = _eff_words()
    assert len(words) > 7700
    assert all(word.isalpha() for word in words)


def test_costs_are_read_from_the_stored_hash():
    work = PasswordWork()
    provisional = asyncio.run(work.hash("correct horse", cost=PROVISIONAL_COST))
    full = asyncio.run(work.hash("correct horse"))
    assert (cost_of(provisional), cost_of(full)) == (PROVISIONAL_COST, FULL_COST)
    assert is_provisional(provisional)
    assert not is_provisional(full)
    assert not is_provisional(b"not a bcrypt hash")
    assert asyncio.run(work.check("correct horse", provisional))


def test_another_full_cost_hashes_and_stands_in_for_unknown_names_at_that_cost():
    work = PasswordWork(full_cost=7)
    stored = asyncio.run(work.hash("correct horse"))
    assert cost_of(stored) == 7
    assert cost_of(work.no_account_hash) == 7
    assert not asyncio.run(work.check("correct horse", work.no_account_hash))
    # A hash below that cost is provisional for it; the installation's cost is not.
    assert is_provisional(bcrypt.hashpw(b"x", bcrypt.gensalt(6)), full_cost=7)
    assert not is_provisional(stored, full_cost=7)


def test_the_stand_in_for_unknown_names_costs_what_a_login_does():
    assert cost_of(PasswordWork().no_account_hash) == FULL_COST


def test_waiting_foreground_work_goes_before_waiting_background_work():
    async def scenario():
        turns = _Turns(1, quiet_s=0)
        await turns.take(_BACKGROUND)  # the one thread is busy
        later = asyncio.ensure_future(turns.take(_BACKGROUND))
        login = asyncio.ensure_future(turns.take(_FOREGROUND))
        await asyncio.sleep(0)
        turns.give_back()
        await asyncio.sleep(0)
        assert login.done()
        assert not later.done()
        turns.give_back()
        await asyncio.sleep(0)
        assert later.done()

    asyncio.run(scenario())


def test_background_work_waits_until_foreground_work_has_been_quiet():
    async def scenario():
        turns = _Turns(1, quiet_s=0.3)
        await turns.take(_FOREGROUND)
        turns.give_back()
        # The thread is free, but a batch may still be under way: no background yet.
        background = asyncio.ensure_future(turns.take(_BACKGROUND))
        await asyncio.sleep(0.1)
        assert not background.done()
        # Foreground work arriving meanwhile still gets the free thread at once.
        await asyncio.wait_for(turns.take(_FOREGROUND), timeout=0.05)
        turns.give_back()
        await asyncio.wait_for(background, timeout=2)

    asyncio.run(scenario())


def test_a_waiter_cancelled_does_not_keep_a_thread():
    async def scenario():
        turns = _Turns(1, quiet_s=0)
        await turns.take(_FOREGROUND)
        gave_up = asyncio.ensure_future(turns.take(_FOREGROUND))
        await asyncio.sleep(0)
        gave_up.cancel()
        await asyncio.sleep(0)
        turns.give_back()
        await asyncio.wait_for(turns.take(_FOREGROUND), timeout=1)

    asyncio.run(scenario())
