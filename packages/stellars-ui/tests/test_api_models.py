"""The request models: unknown fields, types, ranges and lengths refused with the field named."""

import json
from http import HTTPStatus

import pytest

from stellars_ui.api_routes import platform_api_routes
from stellars_ui.json_body import MAX_BODY_BYTES, MAX_BODY_DEPTH, BodyError
from stellars_ui.models.common import parse_body
from stellars_ui.models.notifications import BroadcastBody
from stellars_ui.models.sessions import Extension
from stellars_ui.models.volumes import VolumeSelection

# Every route, the Docker ones included.
API_ROUTES = platform_api_routes(docker=True)

OPERATIONS = [
    pytest.param(operation, id=f"{operation.method.upper()} {route.path}")
    for route in API_ROUTES
    for operation in route.operations
]
WITH_BODY = [param for param in OPERATIONS if param.values[0].request is not None]


def read(model, body):
    return parse_body(model, json.dumps(body).encode())


def refusal(model, body):
    with pytest.raises(BodyError) as refused:
        read(model, body)
    assert refused.value.status == HTTPStatus.BAD_REQUEST
    return str(refused.value)


@pytest.mark.parametrize("operation", WITH_BODY)
def test_every_request_model_refuses_an_unknown_field_naming_it(operation):
    valid = dict(operation.example or {})
    read(operation.request, valid)  # the documented example is taken
    assert refusal(operation.request, {**valid, "surprise": 1}) == "Unknown field 'surprise'."


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_model_of_the_contract_is_closed_and_strict(operation):
    for model in (operation.request, operation.response):
        if model is not None:
            assert model.model_config["extra"] == "forbid", model
            assert model.model_config["strict"] is True, model


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({"hours": "1"}, "hours: Input should be a valid integer", id="text"),
        pytest.param({"hours": True}, "hours: Input should be a valid integer", id="bool"),
        pytest.param({"hours": 1.5}, "hours: Input should be a valid integer", id="fraction"),
        pytest.param({"hours": 0}, "hours: Input should be greater than or equal to 1", id="zero"),
        pytest.param({}, "hours: Field required", id="missing"),
    ],
)
def test_hours_are_a_whole_number_from_one(body, message):
    assert refusal(Extension, body) == message


def test_a_whole_number_written_with_a_point_is_a_whole_number():
    # JSON has one number type: 2.0 is what some clients send for 2.
    assert read(Extension, {"hours": 2.0}).hours == 2
    assert read(BroadcastBody, {"message": "m", "autoClose": 5000.0}).auto_close == 5000


def test_every_problem_of_a_body_is_named_at_once():
    message = refusal(VolumeSelection, {"volumes": ["home", 1], "force": True})
    assert message == "volumes.1: Input should be a valid string; Unknown field 'force'."


def test_volumes_are_named_once_and_at_least_one():
    assert refusal(VolumeSelection, {"volumes": []}).startswith("volumes: List should have at")
    assert refusal(VolumeSelection, {"volumes": ["home", "home"]}) == (
        "volumes: names a volume twice"
    )


def test_the_body_limits_apply_before_the_model():
    deep = b'{"hours": ' + b"[" * (MAX_BODY_DEPTH + 1) + b"]" * (MAX_BODY_DEPTH + 1) + b"}"
    with pytest.raises(BodyError, match="nested"):
        parse_body(Extension, deep)
    with pytest.raises(BodyError) as refused:
        parse_body(Extension, b" " * (MAX_BODY_BYTES + 1))
    assert refused.value.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    with pytest.raises(BodyError, match="JSON object"):
        parse_body(Extension, b"[1]")


def test_a_full_broadcast_and_its_payload():
    request = read(
        BroadcastBody,
        {
            "message": "  Maintenance at 18:00  ",
            "variant": "warning",
            "autoClose": False,
            "recipients": ["ada", "bob", "ada"],
        },
    ).to_request()
    assert request.message == "Maintenance at 18:00"
    assert request.recipients == ("ada", "bob")
    assert request.payload() == {
        "message": "Maintenance at 18:00",
        "type": "warning",
        "autoClose": False,
        "immediate": True,
    }


def test_broadcast_defaults_send_to_everyone_running():
    request = read(BroadcastBody, {"message": "hello"}).to_request()
    assert (request.variant, request.auto_close_ms, request.recipients) == ("info", 5000, None)
    # An empty body reads as {}: the message is missing, and said so.
    with pytest.raises(BodyError, match=r"^message: Field required$"):
        parse_body(BroadcastBody, b"")


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
        pytest.param({"message": "m", "autoClose": "5000"}, "autoClose", id="auto-close-text"),
        pytest.param({"message": "m", "recipients": "ada"}, "recipients", id="not-a-list"),
        pytest.param({"message": "m", "recipients": []}, "recipients", id="empty-list"),
        pytest.param({"message": "m", "recipients": None}, "recipients", id="null"),
        pytest.param({"message": "m", "recipients": [1]}, "recipients.0", id="not-names"),
        pytest.param({"message": "m", "recipients": [""]}, "recipients.0", id="empty-name"),
    ],
)
def test_a_bad_broadcast_field_is_named_first(body, field):
    assert refusal(BroadcastBody, body).startswith(f"{field}: ")


def test_the_longest_message_is_accepted():
    assert len(read(BroadcastBody, {"message": "x" * 140}).message) == 140


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_example_is_a_valid_body_of_its_model(operation):
    # An example in the document that its own model refuses would teach a
    # client a body the API never sends.
    for model in (operation.request, operation.response):
        extra = model.model_config.get("json_schema_extra") if model is not None else None
        for example in (extra or {}).get("examples", []):
            model.model_validate(example)
