import pytest

from stellars_activity import ActivityLevel, ActivitySettings, activity_level, activity_percentage


@pytest.mark.parametrize(
    ("score", "target_hours", "expected"),
    [
        pytest.param(0.0, 8, 0.0, id="idle"),
        pytest.param(100 / 3, 8, 100.0, id="eight-hours-of-24-is-the-target"),
        pytest.param(100 / 6, 8, 50.0, id="half-the-target"),
        pytest.param(100.0, 8, 100.0, id="capped-at-100"),
        pytest.param(50.0, 24, 50.0, id="target-all-day"),
    ],
)
def test_percentage_is_the_score_against_the_daily_target(score, target_hours, expected):
    assert activity_percentage(score, target_hours) == pytest.approx(expected)


def test_percentage_refuses_a_target_that_is_not_positive():
    with pytest.raises(ValueError, match="target_hours"):
        activity_percentage(10.0, 0)


@pytest.mark.parametrize(
    ("percentage", "expected"),
    [
        pytest.param(0.0, ActivityLevel.INACTIVE, id="zero"),
        pytest.param(19.99, ActivityLevel.INACTIVE, id="under-20"),
        pytest.param(20.0, ActivityLevel.LOW, id="20"),
        pytest.param(40.0, ActivityLevel.MODERATE, id="40"),
        pytest.param(79.9, ActivityLevel.HIGH, id="under-80"),
        pytest.param(80.0, ActivityLevel.VERY_HIGH, id="80"),
        pytest.param(100.0, ActivityLevel.VERY_HIGH, id="100"),
        pytest.param(-5.0, ActivityLevel.INACTIVE, id="negative-clamped"),
        pytest.param(250.0, ActivityLevel.VERY_HIGH, id="over-100-clamped"),
    ],
)
def test_level_is_one_of_five_segments(percentage, expected):
    assert activity_level(percentage) is expected


def test_levels_have_names_and_numbers():
    assert [(level.value, level.name) for level in ActivityLevel] == [
        (0, "INACTIVE"),
        (1, "LOW"),
        (2, "MODERATE"),
        (3, "HIGH"),
        (4, "VERY_HIGH"),
    ]


@pytest.mark.parametrize(
    ("options", "named"),
    [
        pytest.param({"half_life_hours": 0}, "half_life_hours", id="half-life-zero"),
        pytest.param({"retention_days": -1}, "retention_days", id="retention-negative"),
        pytest.param({"target_hours": 25}, "target_hours", id="target-over-a-day"),
        pytest.param({"sample_interval_minutes": 0}, "sample_interval_minutes", id="interval"),
    ],
)
def test_settings_refuse_values_out_of_range(options, named):
    with pytest.raises(ValueError, match=named):
        ActivitySettings(**options)


def test_default_settings():
    settings = ActivitySettings()
    assert settings.half_life.total_seconds() == 72 * 3600
    assert settings.retention.days == 7
    assert (settings.target_hours, settings.inactive_after_minutes) == (8.0, 60.0)
