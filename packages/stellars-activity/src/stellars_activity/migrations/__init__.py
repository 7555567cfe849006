"""Revision scripts of stellars_activity's tables (see stellars_activity.schema)."""
