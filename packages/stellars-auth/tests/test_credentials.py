from stellars_auth import CredentialCache


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_passphrase_is_read_once():
    cache = CredentialCache(ttl_s=300)
    cache.put("ada", "correct-horse-battery-staple")
    first = cache.take(["ada", "bob"])
    assert first.passwords == {"ada": "correct-horse-battery-staple"}
    assert first.unavailable == ["bob"]
    again = cache.take(["ada"])
    assert again.passwords == {}
    assert again.unavailable == ["ada"]


def test_a_passphrase_expires_after_its_time_to_live():
    clock = Clock()
    cache = CredentialCache(ttl_s=300, clock=clock)
    cache.put("ada", "one-two-three-four")
    clock.now += 299
    assert len(cache) == 1
    clock.now += 1
    assert len(cache) == 0
    assert cache.take(["ada"]).unavailable == ["ada"]


def test_forget_and_replace():
    cache = CredentialCache()
    cache.put("ada", "first-pass-phrase-here")
    cache.put("ada", "second-pass-phrase-here")
    cache.put("bob", "bobs-pass-phrase-here")
    cache.forget("bob")
    taken = cache.take(["ada", "ada", "bob"])
    assert taken.passwords == {"ada": "second-pass-phrase-here"}
    assert taken.unavailable == ["bob"]


def test_no_passphrase_in_its_repr():
    cache = CredentialCache()
    cache.put("ada", "secret-words-never-shown")
    assert "secret-words-never-shown" not in repr(cache)
