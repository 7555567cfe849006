"""The original single-package ``stellars_hub`` API, as thin adapters over the platform.

Operators of the original Stellars JupyterHub deployment configure their hub
with a ``jupyterhub_config.py`` that reads the environment itself and calls
these functions with explicit values. They keep their names, signatures and
return shapes (see ORIGINAL-SPEC.md); the work is done by the platform's
packages, and where the original behaved wrongly the platform's behaviour
applies. A new installation uses :func:`stellars_hub.configure` instead.
"""

from stellars_hub.original.gpu import resolve_gpu_mode
from stellars_hub.original.groups import ensure_groups
from stellars_hub.original.volumes import get_user_volume_suffixes

__all__ = ["ensure_groups", "get_user_volume_suffixes", "resolve_gpu_mode"]
