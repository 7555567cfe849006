"""A real PostgreSQL server: a fresh database for each test that needs one."""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING

from stellars_testing.components import require

if TYPE_CHECKING:
    from collections.abc import Iterator

POSTGRES_URL_VARIABLE = "STELLARS_TEST_POSTGRES_URL"


def fresh_database() -> Iterator[str]:
    """Create an empty database, yield its SQLAlchemy URL, and drop it afterwards."""
    import psycopg  # noqa: PLC0415 - only database tests need the driver

    server_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server_url:
        require(
            "PostgreSQL",
            f"{POSTGRES_URL_VARIABLE} is not set",
            "Run scripts/provision-postgres.sh.",
        )
    name = f"stellars_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(server_url, autocommit=True)
    except psycopg.OperationalError as error:
        require("PostgreSQL", str(error), "Run scripts/provision-postgres.sh.")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            base, _, _ = server_url.rpartition("/")
            yield f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
