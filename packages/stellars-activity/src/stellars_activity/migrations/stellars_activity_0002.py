"""The cull time each user was last warned of (the warning inside JupyterLab before a cull).

Revision ID: stellars_activity_0002
Revises: stellars_activity_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "stellars_activity_0002"
down_revision = "stellars_activity_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the cull-warnings table."""
    op.create_table(
        "cull_warnings",
        sa.Column("username", sa.String(255), primary_key=True),
        sa.Column("cull_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("warned_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("cull_warnings")
