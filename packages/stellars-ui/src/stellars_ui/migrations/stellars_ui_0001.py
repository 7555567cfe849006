"""The baseline: the schema stellars-ui made with ``create_all`` before migrations.

Each table and index is created only where it is missing, so a database
made by a release before migrations (tables present, no version table) is
adopted as it is: its rows are never touched, and from here on it moves
only through revisions. A new database gets the same schema from scratch.

Revision ID: stellars_ui_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "stellars_ui_0001"
down_revision = None
branch_labels = ("stellars_ui",)
depends_on = None


def _missing_table(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def _missing_index(table: str, index: str) -> bool:
    return index not in {found["name"] for found in sa.inspect(op.get_bind()).get_indexes(table)}


def upgrade() -> None:
    """Create ``broadcast_history`` and its index where they are missing."""
    if _missing_table("broadcast_history"):
        op.create_table(
            "broadcast_history",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("sender", sa.String(255), nullable=False),
            # The broadcast request's MAX_MESSAGE_LENGTH when this was written.
            sa.Column("message", sa.String(140), nullable=False),
            sa.Column("variant", sa.String(16), nullable=False),
            sa.Column("auto_close_ms", sa.Integer(), nullable=True),
            sa.Column("recipients", sa.Integer(), nullable=False),
            sa.Column("delivered", sa.Integer(), nullable=False),
        )
    if _missing_index("broadcast_history", "ix_broadcast_history_sent_at"):
        op.create_index("ix_broadcast_history_sent_at", "broadcast_history", ["sent_at"])


def downgrade() -> None:
    """Drop ``broadcast_history``."""
    op.drop_table("broadcast_history")
