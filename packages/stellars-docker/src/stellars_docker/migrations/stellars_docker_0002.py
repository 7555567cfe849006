"""Group policies, and the policy each server started under.

Revision ID: stellars_docker_0002
Revises: stellars_docker_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "stellars_docker_0002"
down_revision = "stellars_docker_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the group-policy and server-policy tables."""
    op.create_table(
        "stellars_group_policies",
        sa.Column("group", sa.String(255), primary_key=True),
        sa.Column("policy", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
        sa.Column("docker_access_by_full_admin", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "stellars_server_policies",
        sa.Column("user_id", sa.Integer(), primary_key=True),
        sa.Column("server", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("profile", sa.String(63), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the two tables."""
    op.drop_table("stellars_server_policies")
    op.drop_table("stellars_group_policies")
