"""The ``stellars-hub`` command: inspect and validate the platform's settings."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from pydantic import SecretStr

from stellars_hub.settings import HubSettings, SettingsError, load_settings

if TYPE_CHECKING:
    from collections.abc import Sequence


def _show(value: object) -> str:
    if isinstance(value, SecretStr):
        return "********" if value.get_secret_value() else "(not set)"
    return repr(value)


def _print_settings(settings: HubSettings) -> None:
    for name, field in HubSettings.model_fields.items():
        print(f"{field.alias}={_show(getattr(settings, name))}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``stellars-hub check`` or ``stellars-hub settings``; return the exit status."""
    parser = argparse.ArgumentParser(prog="stellars-hub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="validate the environment's settings")
    commands.add_parser("settings", help="print the effective settings, secrets masked")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(os.environ)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 1
    if args.command == "settings":
        _print_settings(settings)
    else:
        print("settings are valid")
    return 0
