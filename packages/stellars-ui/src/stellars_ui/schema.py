"""Where stellars_ui's tables come from: its alembic history (see stellars_core.migrations).

Tables exist only through these revisions; a change to a table comes with a
new revision in ``migrations/`` and the upgrade test extended.
"""

from pathlib import Path

from stellars_core.migrations import SchemaHistory

HISTORY = SchemaHistory(name="stellars_ui", versions=Path(__file__).parent / "migrations")
