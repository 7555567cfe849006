import asyncio

import pytest

from stellars_auth import generate_passphrase
from stellars_auth.passphrases import _eff_words
from stellars_auth.passwords import PasswordWork, default_workers


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
