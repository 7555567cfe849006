"""The swarm node each account's volumes are on.

Revision ID: stellars_docker_0004
Revises: stellars_docker_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "stellars_docker_0004"
down_revision = "stellars_docker_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the placements table."""
    op.create_table(
        "stellars_swarm_placements",
        sa.Column("account", sa.String(64), primary_key=True),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("node_name", sa.String(255), nullable=False),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("stellars_swarm_placements")
