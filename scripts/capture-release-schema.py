r"""Capture the schema of the platform's own tables as this checkout makes them, per backend.

Run it on the commit of a release, once, and commit what it writes: the
upgrade test (tests/integration/test_upgrade_from_previous_release.py) builds
"the previous release's database" from these files, never from the code of
the day, which will have changed.

    python scripts/capture-release-schema.py 0.1.0      # needs STELLARS_TEST_POSTGRES_URL

writes, under ``testing/stellars-testing/src/stellars_testing/releases/<version>/``:

- ``platform-sqlite.sql``: the ``CREATE`` statements SQLite keeps in
  ``sqlite_master`` for a fresh file where the platform made its tables;
- ``platform-postgresql.sql``: ``pg_dump --schema-only --no-owner
  --no-privileges`` of a fresh PostgreSQL database where the platform made its
  tables (so exactly the platform's, JupyterHub's are JupyterHub's to make),
  without pg_dump's comments and its per-dump ``\restrict`` lines.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import create_engine

from stellars_activity import ActivityStore
from stellars_auth.lockout import create_table as create_throttle_table
from stellars_docker import create_grant_tables, create_volume_tables
from stellars_testing import database
from stellars_ui.broadcasts.history import BroadcastHistory

RELEASES = Path(__file__).resolve().parents[1] / (
    "testing/stellars-testing/src/stellars_testing/releases"
)


def _create_platform_tables(db_url: str) -> None:
    # What the hub of this checkout runs before serving (configure() and the
    # authenticator). Once the platform has migrations, this is their upgrade
    # to head instead, so the capture includes the version table.
    store = ActivityStore(db_url)
    store.create_tables()
    store.engine.dispose()
    engine = create_engine(db_url)
    create_throttle_table(engine)
    engine.dispose()
    create_grant_tables(db_url)
    create_volume_tables(db_url)
    history = BroadcastHistory(db_url, keep=1)
    history.create_tables()
    history.engine.dispose()


def _sqlite_schema() -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "release.sqlite"
        _create_platform_tables(f"sqlite:///{path}")
        connection = sqlite3.connect(path)
        try:
            rows = connection.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                "ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, name"
            ).fetchall()
        finally:
            connection.close()
    return "".join(f"{sql};\n\n" for (sql,) in rows)


def _postgresql_schema() -> str:
    server = database.connect()
    try:
        url = server.create_database()
        _create_platform_tables(url)
        # pg_dump of the machine's PostgreSQL client, as the provisioning uses; our own URL.
        dump = subprocess.run(  # noqa: S603
            [  # noqa: S607
                "pg_dump",
                "--schema-only",
                "--no-owner",
                "--no-privileges",
                url.replace("postgresql+psycopg://", "postgresql://", 1),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        server.drop_created()
    # Comments name pg_dump's version and \restrict carries a random key: both
    # would change the file at every capture without changing the schema.
    kept = [
        line
        for line in dump.splitlines()
        if not line.startswith("--") and not line.startswith(("\\restrict", "\\unrestrict"))
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip() + "\n"


def main() -> None:
    """Write both schema files of the release named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("version", help="the release being captured, e.g. 0.1.0")
    args = parser.parse_args()
    folder = RELEASES / args.version
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "platform-sqlite.sql").write_text(_sqlite_schema())
    (folder / "platform-postgresql.sql").write_text(_postgresql_schema())
    print(f"wrote {folder}")


if __name__ == "__main__":
    main()
