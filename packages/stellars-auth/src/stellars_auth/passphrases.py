"""Passphrases for accounts an admin creates: words from the EFF long word list (xkcdpass)."""

from __future__ import annotations

import functools

from xkcdpass import xkcd_password

EFF_WORD_LIST = "eff-long"
MIN_WORDS = 4  # 4 of 7,776 words: about 51 bits
BITS_PER_WORD = 12.9  # log2(7776)


@functools.cache
def _eff_words() -> tuple[str, ...]:
    # The list's words of letters only, read once per process: a few have a
    # hyphen ("t-shirt"), which would blur the words of a "-"-joined passphrase.
    path = xkcd_password.locate_wordfile(EFF_WORD_LIST)
    return tuple(
        xkcd_password.generate_wordlist(
            wordfile=path, min_length=1, max_length=64, valid_chars="[a-z]"
        )
    )


def generate_passphrase(words: int = MIN_WORDS, delimiter: str = "-") -> str:
    """Return *words* words of the EFF long list, joined by *delimiter*.

    xkcdpass draws the words with ``random.SystemRandom`` (the OS's
    cryptographic source).

    Raises:
        ValueError: fewer than :data:`MIN_WORDS` words.
    """
    if words < MIN_WORDS:
        raise ValueError(f"a passphrase needs at least {MIN_WORDS} words, not {words}")
    passphrase: str = xkcd_password.generate_xkcdpassword(
        list(_eff_words()), numwords=words, delimiter=delimiter
    )
    return passphrase
