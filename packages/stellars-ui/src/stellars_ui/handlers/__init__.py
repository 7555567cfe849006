"""Tornado handlers: API endpoints and pages."""
