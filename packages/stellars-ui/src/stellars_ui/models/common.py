"""What every API model shares: the base class, the error body, timestamps, and body parsing."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, WithJsonSchema

from stellars_ui.json_body import BodyError, parse_json_object

ModelT = TypeVar("ModelT", bound="Contract")


class Contract(BaseModel):
    """A body of the platform's API: no unknown field, no type coerced ("1" is not 1)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Error(Contract):
    """Every error the platform's API answers with."""

    status: int
    message: str


class NoFields(Contract):
    """An empty JSON object (an empty body reads the same)."""


def _whole(value: object) -> object:
    # JSON has one number type: 2.0 is what some clients send for 2.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Reads a whole number written with a point (2.0) as one; 1.5, true and "2"
# are still refused by the strict int it precedes. Put it after the int's
# constraints (``Annotated[int, Field(ge=1), AS_WHOLE]``): before them, the
# constraints could not be written as JSON Schema.
AS_WHOLE = BeforeValidator(_whole)

Timestamp = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "format": "date-time", "description": "ISO 8601 in UTC, with +00:00"}
    ),
]
NullableTimestamp = Annotated[
    str | None,
    WithJsonSchema(
        {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "ISO 8601 in UTC, with +00:00, or null",
        }
    ),
]


def parse_body(model: type[ModelT], body: bytes) -> ModelT:
    """Return *body* read as *model*, after the size and nesting limits of ``json_body``.

    Raises:
        BodyError: 413 for a body over the size cap; 400 for one nested too
            deep, not a JSON object, or not valid for *model* (the message
            names each field at fault).
    """
    parsed = parse_json_object(body)
    try:
        return model.model_validate(parsed)
    except ValidationError as error:
        problems = "; ".join(_describe(detail) for detail in error.errors())
        raise BodyError(HTTPStatus.BAD_REQUEST, problems) from None


def _describe(detail: Any) -> str:
    where = ".".join(str(part) for part in detail["loc"])
    if detail["type"] == "extra_forbidden":
        return f"Unknown field {where!r}."
    # A ValueError raised by one of the models' validators reads "Value error, <why>".
    message = str(detail["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def dump(model: Contract) -> dict[str, Any]:
    """Return *model* as the JSON object it is sent as (field aliases such as ``autoClose``)."""
    return model.model_dump(mode="json", by_alias=True)
