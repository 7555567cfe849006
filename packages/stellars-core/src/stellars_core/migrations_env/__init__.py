"""Alembic environment of the platform's migrations (a folder alembic reads, not imported)."""
