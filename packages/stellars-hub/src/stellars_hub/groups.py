"""``stellars_hub.groups``: where the original start-up script imports ``ensure_groups`` from."""

from stellars_hub.original.groups import ensure_groups

__all__ = ["ensure_groups"]
