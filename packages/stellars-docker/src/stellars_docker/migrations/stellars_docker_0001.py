"""The baseline: the schema stellars-docker made with ``create_all`` before migrations.

Each table and index is created only where it is missing, so a database
made by a release before migrations (tables present, no version table) is
adopted as it is: its rows are never touched, and from here on it moves
only through revisions. A new database gets the same schema from scratch.

Revision ID: stellars_docker_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "stellars_docker_0001"
down_revision = None
branch_labels = ("stellars_docker",)
depends_on = None


def _missing_table(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def _missing_index(table: str, index: str) -> bool:
    return index not in {found["name"] for found in sa.inspect(op.get_bind()).get_indexes(table)}


def upgrade() -> None:
    """Create the grants, volume-owner and deleted-account tables where they are missing."""
    if _missing_table("stellars_docker_grants"):
        op.create_table(
            "stellars_docker_grants",
            sa.Column("group", sa.String(255), primary_key=True),
            sa.Column("user_id", sa.Integer(), primary_key=True),
            sa.Column("username", sa.String(255), nullable=False),
            sa.Column("granted_by", sa.String(255), nullable=False),
            sa.Column("by_full_admin", sa.Boolean(), nullable=False),
            sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        )
    if _missing_table("stellars_volume_owners"):
        op.create_table(
            "stellars_volume_owners",
            sa.Column("volume", sa.String(255), primary_key=True),
            sa.Column("owner", sa.String(64), nullable=False),
            sa.Column("owner_name", sa.String(255), nullable=False),
            sa.Column("reason", sa.String(16), nullable=False),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        )
    if _missing_table("stellars_deleted_accounts"):
        op.create_table(
            "stellars_deleted_accounts",
            sa.Column("identity", sa.String(64), primary_key=True),
            sa.Column("name", sa.String(255), nullable=False),
            sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        )
    if _missing_index("stellars_deleted_accounts", "ix_stellars_deleted_accounts_name"):
        op.create_index("ix_stellars_deleted_accounts_name", "stellars_deleted_accounts", ["name"])


def downgrade() -> None:
    """Drop the three tables."""
    for table in ("stellars_deleted_accounts", "stellars_volume_owners", "stellars_docker_grants"):
        op.drop_table(table)
