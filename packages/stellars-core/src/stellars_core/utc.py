"""Timezone-aware UTC timestamps in any database SQLAlchemy speaks to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, TypeDecorator

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp on every backend.

    SQLite has no time zones: values are stored as naive UTC and come back
    naive, so they are made aware again on the way out. Naive values are
    refused on the way in, since their zone cannot be known. The column is
    ``DateTime(timezone=True)`` in the schema, so switching a column to this
    type changes no table.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return *value* in UTC, naive for SQLite.

        Raises:
            ValueError: *value* is naive.
        """
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamps must be timezone-aware, got {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        """Return *value* as an aware UTC datetime."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
