"""Shared test support for Stellars Hub: real components, started and stopped by fixtures."""

from stellars_testing.components import require
from stellars_testing.hub import HubSession, RunningHub

__all__ = ["HubSession", "RunningHub", "require"]
