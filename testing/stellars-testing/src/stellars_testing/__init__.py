"""Shared test support for Stellars Hub: real components, started and stopped by fixtures."""

from stellars_testing.components import require
from stellars_testing.hub import HubSession, RunningHub
from stellars_testing.polling import wait_until

__all__ = ["HubSession", "RunningHub", "require", "wait_until"]
