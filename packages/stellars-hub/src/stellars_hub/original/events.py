"""``register_events``: keep the platform's data in step with the hub's users."""

from __future__ import annotations

from stellars_hub.original.completion import record


def register_events() -> None:
    """Have the hub keep activity samples in step with its users: renamed, deleted.

    The listeners need the hub's database, which the config file sets after
    this call; they are installed once the hub has read the file, before it
    creates or changes any user. An account's rename and deletion are kept in
    step by :class:`StellarsNativeAuthenticator` itself.
    """
    record()
