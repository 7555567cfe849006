"""The ``stellars-hub`` command: check the platform's settings, upgrade its tables."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from sqlalchemy import make_url

from stellars_core.migrations import MigrationError, current
from stellars_hub.migrations import platform_histories, upgrade_platform
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


def upgrade_databases(settings: HubSettings) -> list[str]:
    """Upgrade the platform's tables in *settings*' databases; return one line per history.

    Each line says the database (password hidden), the history, and its
    revision before and after (``none``: it had no tables of that history).

    Raises:
        MigrationError: a revision failed; its database is as it was before.
    """
    databases = platform_histories(settings)
    before = {url: current(url, histories) for url, histories in databases.items()}
    upgrade_platform(settings)
    lines = []
    for url, histories in databases.items():
        after = current(url, histories)
        shown = make_url(url).render_as_string(hide_password=True)
        for history in histories:
            was, now = before[url][history.name] or "none", after[history.name] or "none"
            lines.append(f"{shown} {history.name}: {was} -> {now}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run a ``stellars-hub`` command (see ``--help``); return the exit status."""
    parser = argparse.ArgumentParser(prog="stellars-hub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="validate the environment's settings")
    commands.add_parser("settings", help="print the effective settings, secrets masked")
    commands.add_parser("reference", help="print the settings reference table (Markdown)")
    commands.add_parser(
        "upgrade-db", help="upgrade the platform's own tables (beside `jupyterhub upgrade-db`)"
    )
    args = parser.parse_args(argv)
    if args.command == "reference":
        print(settings_table())
        return 0
    try:
        settings = load_settings(os.environ)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 1
    if args.command == "upgrade-db":
        try:
            print("\n".join(upgrade_databases(settings)))
        except MigrationError as error:
            print(
                f"the platform's tables were not upgraded (nothing changed): {error}",
                file=sys.stderr,
            )
            return 1
    elif args.command == "settings":
        _print_settings(settings)
    else:
        print("settings are valid")
    return 0
