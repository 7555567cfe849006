import asyncio

from stellars_auth.passwords import check_password, generate_password, hash_password


def test_a_hash_checks_against_its_password_only():
    stored = asyncio.run(hash_password("correct horse"))
    assert asyncio.run(check_password("correct horse", stored))
    assert not asyncio.run(check_password("wrong horse", stored))


def test_generated_passwords_are_long_and_different():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(p) >= 24 for p in passwords)
