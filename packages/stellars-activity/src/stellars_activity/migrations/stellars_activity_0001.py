"""The baseline: the schema stellars-activity made with ``create_all`` before migrations.

Each table and index is created only where it is missing, so a database
made by a release before migrations (tables present, no version table) is
adopted as it is: its rows are never touched, and from here on it moves
only through revisions. A new database gets the same schema from scratch.

Revision ID: stellars_activity_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "stellars_activity_0001"
down_revision = None
branch_labels = ("stellars_activity",)
depends_on = None


def _missing_table(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def _missing_index(table: str, index: str) -> bool:
    return index not in {found["name"] for found in sa.inspect(op.get_bind()).get_indexes(table)}


def upgrade() -> None:
    """Create the activity tables and their index where they are missing."""
    if _missing_table("activity_samples"):
        op.create_table(
            "activity_samples",
            sa.Column("username", sa.String(255), primary_key=True),
            sa.Column("timestamp", sa.DateTime(timezone=True), primary_key=True),
            sa.Column("active", sa.Boolean(), nullable=False),
        )
    if _missing_index("activity_samples", "ix_activity_samples_timestamp"):
        op.create_index("ix_activity_samples_timestamp", "activity_samples", ["timestamp"])
    if _missing_table("activity_totals"):
        op.create_table(
            "activity_totals",
            sa.Column("username", sa.String(255), primary_key=True),
            sa.Column("weighted_active", sa.Double(), nullable=False),
            sa.Column("weighted_total", sa.Double(), nullable=False),
            sa.Column("samples", sa.Integer(), nullable=False),
            sa.Column("first_sample", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_sample", sa.DateTime(timezone=True), nullable=False),
        )
    if _missing_table("activity_daily"):
        op.create_table(
            "activity_daily",
            sa.Column("username", sa.String(255), primary_key=True),
            sa.Column("day", sa.Date(), primary_key=True),
            sa.Column("active_samples", sa.Integer(), nullable=False),
        )
    if _missing_table("activity_state"):
        op.create_table(
            "activity_state",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("reference", sa.DateTime(timezone=True), nullable=False),
            sa.Column("half_life_seconds", sa.Double(), nullable=False),
            sa.Column("last_tick", sa.DateTime(timezone=True), nullable=True),
        )
    if _missing_table("session_extensions"):
        op.create_table(
            "session_extensions",
            sa.Column("username", sa.String(255), primary_key=True),
            sa.Column("started", sa.DateTime(timezone=True), nullable=False),
            sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
            sa.Column("hours_used", sa.Integer(), nullable=False),
        )


def downgrade() -> None:
    """Drop the activity tables."""
    for table in (
        "session_extensions",
        "activity_state",
        "activity_daily",
        "activity_totals",
        "activity_samples",
    ):
        op.drop_table(table)
