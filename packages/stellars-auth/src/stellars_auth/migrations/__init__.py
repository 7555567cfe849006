"""Revision scripts of stellars_auth's tables (see stellars_auth.schema)."""
