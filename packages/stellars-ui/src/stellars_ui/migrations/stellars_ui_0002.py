"""``broadcast_history`` never hands a deleted entry's id out again (SQLite).

Since history entries can be deleted, a reused id matters: SQLite's plain
INTEGER PRIMARY KEY gives ``max(id) + 1``, so once the newest entry was
deleted the next broadcast got its id, and a page still showing the deleted
one would delete the new one. ``AUTOINCREMENT`` never reuses an id. The
table is rebuilt with it, rows and index kept. PostgreSQL's sequence never
reused one: nothing to do there.

Revision ID: stellars_ui_0002
Revises: stellars_ui_0001
"""

from alembic import op

revision = "stellars_ui_0002"
down_revision = "stellars_ui_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Rebuild ``broadcast_history`` with AUTOINCREMENT on SQLite."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "broadcast_history", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass


def downgrade() -> None:
    """Nothing to undo: the table's columns and rows are unchanged."""
