"""The ``stellars-hub`` command: inspect and validate the platform's settings."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from stellars_hub.settings import HubSettings, SettingsError, load_settings, setting_rows

if TYPE_CHECKING:
    from collections.abc import Sequence


def _print_settings(settings: HubSettings) -> None:
    for row in setting_rows(settings):
        print(f"{row.name}={row.value}")


def settings_table() -> str:
    """Return the Markdown reference table of every setting, generated from the schema."""
    rows = [
        "| variable | category | default | allowed | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    # Rows of a default configuration: the table documents defaults, never this environment.
    for row in setting_rows(HubSettings.model_validate({})):
        default = row.default.replace("|", "\\|")
        allowed = row.allowed.replace("|", "\\|")
        rows.append(
            f"| `{row.name}` | {row.category} | `{default}` | {allowed} | {row.description} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``stellars-hub check`` or ``stellars-hub settings``; return the exit status."""
    parser = argparse.ArgumentParser(prog="stellars-hub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="validate the environment's settings")
    commands.add_parser("settings", help="print the effective settings, secrets masked")
    commands.add_parser("reference", help="print the settings reference table (Markdown)")
    args = parser.parse_args(argv)
    if args.command == "reference":
        print(settings_table())
        return 0
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
