"""The measurement's rate limit and the parsing of du's output (pure logic)."""

import pytest

from stellars_docker import MeasureLimiter, parse_du
from stellars_docker.errors import MeasurementInProgressError, MeasurementTooSoonError


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_user_measures_again_only_after_the_interval():
    clock = Clock()
    limiter = MeasureLimiter(60, clock)
    with limiter.claim("ada"):
        pass
    clock.now += 59.2
    with pytest.raises(MeasurementTooSoonError) as refused, limiter.claim("ada"):
        pass
    assert refused.value.retry_after_s == 1
    with limiter.claim("bo"):  # another user is not held back
        pass
    clock.now += 1
    with limiter.claim("ada"):
        pass


def test_a_second_measurement_while_one_runs_is_refused_and_a_failed_one_still_counts():
    clock = Clock()
    limiter = MeasureLimiter(60, clock)
    with limiter.claim("ada"), pytest.raises(MeasurementInProgressError), limiter.claim("ada"):
        pass
    clock.now += 61
    with pytest.raises(RuntimeError), limiter.claim("ada"):
        raise RuntimeError("the engine failed")
    with pytest.raises(MeasurementTooSoonError), limiter.claim("ada"):
        pass


def test_no_more_than_max_running_measure_at_once_and_a_refusal_does_not_count():
    limiter = MeasureLimiter(60, Clock(), max_running=2)
    with limiter.claim("ada"), limiter.claim("bo"):
        with pytest.raises(MeasurementTooSoonError) as busy, limiter.claim("cy"):
            pass
        assert busy.value.retry_after_s > 0
    with limiter.claim("cy"):  # refused while busy, so not held back by the interval
        pass


def test_du_output_gives_each_paths_total_and_skips_other_lines():
    output = "3145728\t/stellars-measure/0\ndu: cannot read x\n12\t/stellars-measure/1\n"
    assert parse_du(output) == {"/stellars-measure/0": 3145728, "/stellars-measure/1": 12}
