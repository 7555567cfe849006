from importlib.metadata import version

from stellars_ui import UISettings, installed_versions


def test_versions_of_installed_and_missing_distributions():
    versions = installed_versions(("stellars-ui", "no-such-distribution-xyz"))
    assert versions == {"stellars-ui": version("stellars-ui"), "no-such-distribution-xyz": None}


def test_settings_read_the_platforms_versions_when_made():
    assert UISettings().package_versions["stellars-ui"] == version("stellars-ui")
