"""The ``stellars-hub`` command: inspect and validate the platform's settings."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from pydantic import SecretStr

from stellars_hub.settings import HubSettings, SettingsError, allowed_values, load_settings

if TYPE_CHECKING:
    from collections.abc import Sequence


def _show(value: object) -> str:
    if isinstance(value, SecretStr):
        return "********" if value.get_secret_value() else "(not set)"
    return repr(value)


def _print_settings(settings: HubSettings) -> None:
    for name, field in HubSettings.model_fields.items():
        print(f"{field.alias}={_show(getattr(settings, name))}")


def settings_table() -> str:
    """Return the Markdown reference table of every setting, generated from the schema."""
    rows = [
        "| variable | category | default | allowed | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    defaults = HubSettings.model_validate({})
    for name, field in HubSettings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        default = _show(getattr(defaults, name)).replace("|", "\\|")
        allowed = allowed_values(field).replace("|", "\\|")
        rows.append(
            f"| `{field.alias}` | {extra.get('category', '')} | `{default}` | {allowed} "
            f"| {field.description} |"
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
