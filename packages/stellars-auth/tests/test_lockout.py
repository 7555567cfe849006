from stellars_auth.lockout import LoginThrottle


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_pair_is_locked_after_its_failures_and_released_after_the_period():
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, lockout_s=600, clock=clock)
    for _ in range(2):
        throttle.failed("admin", "10.0.0.9")
    assert not throttle.blocked("admin", "10.0.0.9")
    throttle.failed("admin", "10.0.0.9")
    assert throttle.blocked("admin", "10.0.0.9")
    clock.now += 599
    assert throttle.blocked("admin", "10.0.0.9")
    clock.now += 1
    assert not throttle.blocked("admin", "10.0.0.9")


def test_a_stranger_cannot_lock_the_owner_out_from_elsewhere():
    throttle = LoginThrottle(max_failures=3, lockout_s=600, clock=Clock())
    for _ in range(10):
        throttle.failed("admin", "203.0.113.7")
    assert throttle.blocked("admin", "203.0.113.7")
    assert not throttle.blocked("admin", "192.168.1.20")


def test_success_clears_the_pair_and_zero_turns_it_off():
    throttle = LoginThrottle(max_failures=2, lockout_s=600, clock=Clock())
    throttle.failed("ada", "a")
    throttle.succeeded("ada", "a")
    throttle.failed("ada", "a")
    assert not throttle.blocked("ada", "a")
    off = LoginThrottle(max_failures=0)
    for _ in range(50):
        off.failed("ada", "a")
    assert not off.blocked("ada", "a")
