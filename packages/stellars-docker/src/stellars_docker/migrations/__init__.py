"""Revision scripts of stellars_docker's tables (see stellars_docker.schema)."""
