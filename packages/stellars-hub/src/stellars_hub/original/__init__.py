"""The original single-package ``stellars_hub`` API, as thin adapters over the platform.

Operators of the original Stellars JupyterHub deployment configure their hub
with a ``jupyterhub_config.py`` that reads the environment itself and calls
these functions with explicit values. They keep their names, signatures and
return shapes (see ORIGINAL-SPEC.md); the work is done by the platform's
packages, and where the original behaved wrongly the platform's behaviour
applies. A new installation uses :func:`stellars_hub.configure` instead.
"""

from stellars_hub.original.branding import setup_branding
from stellars_hub.original.events import register_events
from stellars_hub.original.gpu import resolve_gpu_mode
from stellars_hub.original.groups import ensure_groups
from stellars_hub.original.hooks import make_pre_spawn_hook, schedule_startup_favicon_callback
from stellars_hub.original.services import get_services_and_roles
from stellars_hub.original.volumes import get_user_volume_suffixes

__all__ = [
    "ensure_groups",
    "get_services_and_roles",
    "get_user_volume_suffixes",
    "make_pre_spawn_hook",
    "register_events",
    "resolve_gpu_mode",
    "schedule_startup_favicon_callback",
    "setup_branding",
]
