"""The baseline: the schema stellars-auth made with ``create_all`` before migrations.

Each table and index is created only where it is missing, so a database
made by a release before migrations (tables present, no version table) is
adopted as it is: its rows are never touched, and from here on it moves
only through revisions. A new database gets the same schema from scratch.

Revision ID: stellars_auth_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "stellars_auth_0001"
down_revision = None
branch_labels = ("stellars_auth",)
depends_on = None


def _missing_table(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def _missing_index(table: str, index: str) -> bool:
    return index not in {found["name"] for found in sa.inspect(op.get_bind()).get_indexes(table)}


def upgrade() -> None:
    """Create ``login_throttle`` and its index where they are missing."""
    if _missing_table("login_throttle"):
        op.create_table(
            "login_throttle",
            sa.Column("key", sa.String(64), primary_key=True),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("latest", sa.DateTime(timezone=True), nullable=False),
        )
    if _missing_index("login_throttle", "ix_login_throttle_latest"):
        op.create_index("ix_login_throttle_latest", "login_throttle", ["latest"])


def downgrade() -> None:
    """Drop ``login_throttle``."""
    op.drop_table("login_throttle")
