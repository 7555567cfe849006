"""What every Stellars Hub package stands on, and nothing that knows JupyterHub or Docker."""

from stellars_core.scheduler import Every, floor_to_interval
from stellars_core.utc import UTCDateTime

__all__ = ["Every", "UTCDateTime", "floor_to_interval"]
