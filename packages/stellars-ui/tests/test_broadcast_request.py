import pytest

from stellars_ui.broadcasts import BroadcastInputError, parse_broadcast


def test_a_full_request_and_its_payload():
    request = parse_broadcast(
        {
            "message": "  Maintenance at 18:00  ",
            "variant": "warning",
            "autoClose": False,
            "recipients": ["ada", "bob", "ada"],
        }
    )
    assert request.message == "Maintenance at 18:00"
    assert request.recipients == ("ada", "bob")
    assert request.payload() == {
        "message": "Maintenance at 18:00",
        "type": "warning",
        "autoClose": False,
        "immediate": True,
    }


def test_defaults_send_to_everyone_running():
    request = parse_broadcast({"message": "hello"})
    assert (request.variant, request.auto_close_ms, request.recipients) == ("info", 5000, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "message", id="no-message"),
        pytest.param({"message": "   "}, "message", id="blank"),
        pytest.param({"message": "x" * 141}, "message", id="too-long"),
        pytest.param({"message": " " + "x" * 140}, "message", id="too-long-as-sent"),
        pytest.param({"message": 5}, "message", id="not-text"),
        pytest.param({"message": "m", "variant": "loud"}, "variant", id="unknown-variant"),
        pytest.param({"message": "m", "autoClose": True}, "autoClose", id="auto-close-true"),
        pytest.param({"message": "m", "autoClose": 1.5}, "autoClose", id="auto-close-float"),
        pytest.param({"message": "m", "autoClose": 0}, "autoClose", id="auto-close-zero"),
        pytest.param({"message": "m", "recipients": "ada"}, "recipients", id="not-a-list"),
        pytest.param({"message": "m", "recipients": []}, "recipients", id="empty-list"),
        pytest.param({"message": "m", "recipients": None}, "recipients", id="null"),
        pytest.param({"message": "m", "recipients": [1]}, "recipients", id="not-names"),
        pytest.param({"message": "m", "everyone": True}, "everyone", id="unknown-field"),
    ],
)
def test_a_bad_field_is_named(body, field):
    with pytest.raises(BroadcastInputError) as raised:
        parse_broadcast(body)
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ")


def test_the_longest_message_is_accepted():
    assert len(parse_broadcast({"message": "x" * 140}).message) == 140


def test_a_whole_number_written_with_a_point_is_a_whole_number():
    # JSON has one number type: 5000.0 is what some clients send for 5000.
    assert parse_broadcast({"message": "m", "autoClose": 5000.0}).auto_close_ms == 5000
