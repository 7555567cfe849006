"""When each sign-up applied (``stellars_signups``).

Accounts already waiting for approval get a row saying they applied before
this upgrade (``exact`` false), so the authorization area can say "before
<date>" instead of nothing. NativeAuthenticator makes ``users_info`` itself,
after this runs on a new database: there is nothing to fill then.

Revision ID: stellars_auth_0002
Revises: stellars_auth_0001
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "stellars_auth_0002"
down_revision = "stellars_auth_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``stellars_signups``; add a row per account waiting at the upgrade."""
    signups = op.create_table(
        "stellars_signups",
        sa.Column("username", sa.String(255), primary_key=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exact", sa.Boolean(), nullable=False),
    )
    connection = op.get_bind()
    if not sa.inspect(connection).has_table("users_info"):
        return
    accounts = sa.table(
        "users_info", sa.column("username", sa.String), sa.column("is_authorized", sa.Boolean)
    )
    waiting = connection.execute(
        sa.select(accounts.c.username).where(accounts.c.is_authorized.is_not(True))
    )
    # SQLite keeps no zone: naive UTC there, as stellars_core.UTCDateTime stores it.
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    rows = [{"username": name, "applied_at": now, "exact": False} for (name,) in waiting]
    if rows:
        op.bulk_insert(signups, rows)


def downgrade() -> None:
    """Drop ``stellars_signups``."""
    op.drop_table("stellars_signups")
