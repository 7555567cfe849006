"""A real PostgreSQL server: a fresh database for each test that needs one."""

from __future__ import annotations

import os
import uuid
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stellars_testing.components import require

if TYPE_CHECKING:
    import psycopg

POSTGRES_URL_VARIABLE = "STELLARS_TEST_POSTGRES_URL"
PROVISION_HINT = "Run scripts/provision-postgres.sh."


@dataclass
class PostgresServer:
    """The test server, through a connection that creates and drops databases."""

    url: str
    admin: psycopg.Connection[tuple[object, ...]]
    created: list[str] = field(default_factory=list)

    def create_database(self) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        name = f"stellars_{uuid.uuid4().hex[:12]}"
        self.admin.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        base, _, _ = self.url.rpartition("/")
        return f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"

    def drop_created(self) -> None:
        """Drop every database this server object created.

        Called at the end of the session, when every hub that used one has
        stopped: dropping it under a running hub would break its shutdown.
        """
        import psycopg  # noqa: PLC0415 - only database tests need the driver

        for name in self.created:
            try:
                self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except psycopg.Error as error:
                # A throwaway database in the test cluster: failing to drop it
                # (someone else still connected) is not a failure of the tests.
                warnings.warn(f"could not drop test database {name}: {error}", stacklevel=1)
        self.admin.close()


def connect() -> PostgresServer:
    """Return the server named by STELLARS_TEST_POSTGRES_URL, or stop the test saying how."""
    import psycopg  # noqa: PLC0415 - only database tests need the driver

    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        require(
            "PostgreSQL",
            f"{POSTGRES_URL_VARIABLE} is not set",
            "Run scripts/provision-postgres.sh.",
        )
    try:
        admin = psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError as error:
        require("PostgreSQL", str(error), PROVISION_HINT)
    return PostgresServer(url, admin)
