"""The import contracts of the root pyproject.toml (``nox -s lint``) on copies of the sources.

Each case adds one import that breaks an arrow of docs/architecture.md to a
copy of the packages and expects lint-imports to fail naming that import;
the unchanged copy must pass, so the contracts hold today.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {
    "stellars_core": ROOT / "packages/stellars-core/src/stellars_core",
    "stellars_auth": ROOT / "packages/stellars-auth/src/stellars_auth",
    "stellars_docker": ROOT / "packages/stellars-docker/src/stellars_docker",
    "stellars_activity": ROOT / "packages/stellars-activity/src/stellars_activity",
    "stellars_ui": ROOT / "packages/stellars-ui/src/stellars_ui",
    "stellars_hub": ROOT / "packages/stellars-hub/src/stellars_hub",
    "stellars_testing": ROOT / "testing/stellars-testing/src/stellars_testing",
}


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    command = shutil.which("lint-imports") or shutil.which(
        "lint-imports", path=str(Path(sys.executable).parent)
    )
    assert command is not None, "lint-imports is missing: run these tests with nox -s packaging"
    # The copies come first on the path, before any installed package.
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run(
        [command, "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    tree = tmp_path_factory.mktemp("pristine")
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    for module, source in SOURCES.items():
        shutil.copytree(source, tree / "src" / module, ignore=shutil.ignore_patterns("__pycache__"))
    return tree


@pytest.fixture
def tree(pristine, tmp_path):
    copy = tmp_path / "tree"
    shutil.copytree(pristine, copy)
    return copy


def test_the_sources_keep_every_contract(tree):
    result = _lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


CASES = [
    pytest.param(
        "stellars_auth/passwords.py",
        "from stellars_docker import naming",
        "stellars_auth is not allowed to import stellars_docker",
        id="auth-imports-docker",
    ),
    pytest.param(
        "stellars_docker/volumes.py",
        "def _late():\n    import stellars_activity.store",
        "stellars_docker is not allowed to import stellars_activity",
        id="docker-imports-activity-late",
    ),
    pytest.param(
        "stellars_activity/scoring.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import stellars_auth",
        "stellars_activity is not allowed to import stellars_auth",
        id="activity-imports-auth-for-types",
    ),
    pytest.param(
        "stellars_auth/passwords.py",
        "import stellars_ui.errors",
        "stellars_auth is not allowed to import stellars_ui",
        id="auth-imports-ui",
    ),
    pytest.param(
        "stellars_ui/errors.py",
        "from stellars_hub import settings",
        "stellars_ui is not allowed to import stellars_hub",
        id="ui-imports-hub",
    ),
    pytest.param(
        "stellars_core/utc.py",
        "import stellars_activity",
        "stellars_core is not allowed to import stellars_activity",
        id="core-imports-activity",
    ),
    pytest.param(
        "stellars_core/utc.py",
        "from jupyterhub import orm",
        "stellars_core is not allowed to import jupyterhub",
        id="core-imports-jupyterhub",
    ),
    pytest.param(
        "stellars_testing/ports.py",
        "import stellars_hub",
        "stellars_testing is not allowed to import stellars_hub",
        id="testing-imports-hub",
    ),
    pytest.param(
        "stellars_ui/errors.py",
        "import stellars_testing.polling",
        "stellars_ui is not allowed to import stellars_testing",
        id="ui-imports-testing",
    ),
]


@pytest.mark.parametrize(("module", "line", "message"), CASES)
def test_a_wrong_import_breaks_a_contract(tree, module, line, message):
    path = tree / "src" / module
    path.write_text(path.read_text() + "\n\n" + line + "  # the wrong import\n")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert message in result.stdout, result.stdout
