"""Revision scripts of stellars_ui's tables (see stellars_ui.schema)."""
