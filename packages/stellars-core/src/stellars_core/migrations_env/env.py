"""Alembic's environment for the platform's own tables (run by stellars_core.migrations).

The caller owns the connection and its transaction: every revision of an
upgrade runs inside it, so a failure undoes all of them.
"""

from alembic import context

from stellars_core.migrations import VERSION_TABLE

context.configure(
    connection=context.config.attributes["connection"],
    version_table=VERSION_TABLE,
    # Everything happens in the caller's transaction, SQLite included.
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
