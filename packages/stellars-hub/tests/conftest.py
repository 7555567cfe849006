"""The ``without_docker`` tests run only where no Docker package is installed.

They prove that environment (``find_spec("docker") is None`` and the like), so
anywhere else they would fail by design. The ``kubernetes`` nox session
installs the platform without its Docker extra and sets
``STELLARS_WITHOUT_DOCKER=1``; every other run deselects them, so they show up
as deselected rather than as skips or failures.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

WITHOUT_DOCKER = "without_docker"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{WITHOUT_DOCKER}: needs an environment without docker, dockerspawner and "
        "stellars-docker (the kubernetes nox session)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("STELLARS_WITHOUT_DOCKER") == "1":
        return
    deselected = [item for item in items if item.get_closest_marker(WITHOUT_DOCKER)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(WITHOUT_DOCKER)]
