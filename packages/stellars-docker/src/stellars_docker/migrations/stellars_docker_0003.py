"""The quota level each user was last told of.

Revision ID: stellars_docker_0003
Revises: stellars_docker_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "stellars_docker_0003"
down_revision = "stellars_docker_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the quota-notices table."""
    op.create_table(
        "stellars_quota_notices",
        sa.Column("user_id", sa.Integer(), primary_key=True),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("noticed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("stellars_quota_notices")
