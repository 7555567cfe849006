"""scripts/release.py on temporary copies of the packages' metadata: each check can fail."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("release", ROOT / "scripts" / "release.py")
assert _spec is not None
assert _spec.loader is not None
release = importlib.util.module_from_spec(_spec)
sys.modules["release"] = release
_spec.loader.exec_module(release)

DAY = dt.date(2027, 1, 15)


@pytest.fixture
def tree(tmp_path):
    """A git work tree with every package's pyproject.toml and CHANGELOG.md, committed."""
    for name in release.PACKAGES:
        for file in ("pyproject.toml", "CHANGELOG.md"):
            target = tmp_path / "packages" / name / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / "packages" / name / file, target)
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "packages"], check=True)
    return tmp_path


def _set_dependency(tree: Path, package: str, old: str, new: str) -> None:
    path = tree / "packages" / package / "pyproject.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


# ------------------------------------------------------------------ ranges


def test_the_repository_ranges_admit_every_sibling():
    assert release.range_problems(release.read_packages(ROOT)) == []


def test_a_range_that_leaves_out_a_sibling_is_reported(tree):
    _set_dependency(tree, "stellars-ui", '"stellars-auth>=0.1,<0.2"', '"stellars-auth>=0.2,<0.3"')
    problems = release.range_problems(release.read_packages(tree))
    assert problems == [
        "stellars-ui requires stellars-auth<0.3,>=0.2, which leaves out stellars-auth 0.1.0"
    ]


def test_a_sibling_bumped_past_the_ranges_is_reported_by_each_dependant(tree):
    path = tree / "packages" / "stellars-core" / "pyproject.toml"
    path.write_text(release.set_version(path.read_text(), Version("0.2.0")))
    problems = release.range_problems(release.read_packages(tree))
    assert sorted(p.split()[0] for p in problems) == [
        "stellars-activity",
        "stellars-auth",
        "stellars-docker",
        "stellars-hub",
        "stellars-ui",
    ]


def test_a_sibling_in_an_extra_is_held_to_its_range_and_widened_like_the_others(tree):
    # stellars-hub[docker] and stellars-ui[docker]: a sibling behind an extra
    # is a sibling all the same.
    changed = release.prepare(tree, "stellars-docker", Version("0.2.0"), DAY)
    assert changed == ["stellars-ui", "stellars-hub"]
    hub = (tree / "packages" / "stellars-hub" / "pyproject.toml").read_text()
    assert '"stellars-docker>=0.2,<0.3",' in hub
    _set_dependency(
        tree, "stellars-ui", '"stellars-docker>=0.2,<0.3"', '"stellars-docker>=0.3,<0.4"'
    )
    problems = release.range_problems(release.read_packages(tree))
    assert problems == [
        "stellars-ui requires stellars-docker<0.4,>=0.3, which leaves out stellars-docker 0.2.0"
    ]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        pytest.param("0.2.0", ">=0.2,<0.3", id="minor-before-1"),
        pytest.param("0.2.5", ">=0.2,<0.3", id="patch-before-1"),
        pytest.param("1.0.0", ">=1.0,<2", id="first-major"),
        pytest.param("2.3.1", ">=2.3,<3", id="major-after-1"),
    ],
)
def test_compatible_range(version, expected):
    assert release.compatible_range(Version(version)) == expected


def test_widen_range_keeps_a_range_that_admits_the_version():
    text = '    "stellars-core>=0.1,<0.2",\n'
    assert release.widen_range(text, "stellars-core", Version("0.1.3")) == text


def test_widen_range_rewrites_only_the_siblings_line():
    text = textwrap.dedent("""\
        dependencies = [
            # Siblings move together: keep this range in step with its version.
            "stellars-core>=0.1,<0.2",
            "stellars-core-extra>=0.1,<0.2",
            "sqlalchemy>=2,<3",
        ]
    """)
    widened = release.widen_range(text, "stellars-core", Version("0.2.0"))
    assert widened == text.replace('"stellars-core>=0.1,<0.2"', '"stellars-core>=0.2,<0.3"')


# ------------------------------------------------------------------ versions and changelog


def test_set_version_changes_the_project_version_only():
    text = '[project]\nname = "x"\nversion = "0.1.0"\n\n[tool.x]\nversion_file = "v"\n'
    assert release.set_version(text, Version("0.2.0")) == text.replace('"0.1.0"', '"0.2.0"')


def test_set_version_refuses_a_file_without_one_version_line():
    with pytest.raises(release.ReleaseError, match="exactly one"):
        release.set_version('[project]\nname = "x"\n', Version("0.2.0"))


def test_a_version_that_is_not_one_is_refused(tree):
    _set_dependency(tree, "stellars-auth", 'version = "0.1.0"', 'version = "next"')
    with pytest.raises(release.ReleaseError, match="stellars-auth"):
        release.read_package(tree, "stellars-auth")


CHANGELOG = textwrap.dedent("""\
    # Changelog of stellars-x

    ## 0.2.0 (unreleased)

    - New thing.

    ## 0.1.0 (2026-12-01)

    - First.
""")


def test_release_changelog_dates_the_unreleased_section():
    moved = release.release_changelog(CHANGELOG, Version("0.2.0"), DAY)
    assert moved == CHANGELOG.replace("## 0.2.0 (unreleased)", "## 0.2.0 (2027-01-15)")
    assert release.changelog_versions(moved) == {"0.2.0": "2027-01-15", "0.1.0": "2026-12-01"}


def test_release_changelog_takes_the_version_given_over_the_headings():
    moved = release.release_changelog(CHANGELOG, Version("1.0.0"), DAY)
    assert "## 1.0.0 (2027-01-15)\n\n- New thing." in moved


def test_release_changelog_refuses_a_version_released_already():
    with pytest.raises(release.ReleaseError, match=r"0\.1\.0 is released already"):
        release.release_changelog(CHANGELOG, Version("0.1.0"), DAY)


def test_release_changelog_refuses_a_changelog_without_unreleased_section():
    released = CHANGELOG.replace("(unreleased)", "(2026-12-02)")
    with pytest.raises(release.ReleaseError, match="unreleased"):
        release.release_changelog(released, Version("0.3.0"), DAY)


def test_prepare_bumps_dates_and_widens_the_dependants(tree):
    changed = release.prepare(tree, "stellars-core", Version("0.2.0"), DAY)
    assert changed == [
        "stellars-auth",
        "stellars-docker",
        "stellars-activity",
        "stellars-ui",
        "stellars-hub",
    ]
    packages = release.read_packages(tree)
    assert packages["stellars-core"].version == Version("0.2.0")
    assert release.range_problems(packages) == []
    changelog = (tree / "packages" / "stellars-core" / "CHANGELOG.md").read_text()
    assert "## 0.2.0 (2027-01-15)" in changelog
    assert "unreleased" not in changelog
    ui = (tree / "packages" / "stellars-ui" / "pyproject.toml").read_text()
    assert '"stellars-core>=0.2,<0.3",' in ui
    assert '"stellars-auth>=0.1,<0.2",' in ui


def test_prepare_of_a_patch_leaves_the_dependants_alone(tree):
    assert release.prepare(tree, "stellars-auth", Version("0.1.1"), DAY) == []
    changed = subprocess.run(
        ["git", "-C", str(tree), "status", "--porcelain"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(p for p in changed if p.startswith("packages/")) == [
        "packages/stellars-auth/CHANGELOG.md",
        "packages/stellars-auth/pyproject.toml",
    ]


def test_prepare_changes_nothing_when_the_changelog_is_not_ready(tree):
    path = tree / "packages" / "stellars-auth" / "CHANGELOG.md"
    path.write_text(path.read_text().replace("(unreleased)", "(2026-12-01)"))
    subprocess.run(["git", "-C", str(tree), "commit", "-qam", "released"], check=True)
    with pytest.raises(release.ReleaseError, match="unreleased"):
        release.prepare(tree, "stellars-auth", Version("0.2.0"), DAY)
    assert release.dirty_files(tree) == []


def test_prepare_refuses_a_version_below_the_current_one(tree):
    with pytest.raises(release.ReleaseError, match="below"):
        release.prepare(tree, "stellars-auth", Version("0.0.9"), DAY)


# ------------------------------------------------------------------ the command's guards


def test_release_refuses_a_dirty_tree(tree):
    (tree / "stray.txt").write_text("x")
    with pytest.raises(release.ReleaseError, match=r"stray\.txt"):
        release.command_release(
            tree, "stellars-auth", Version("0.2.0"), tag=False, out=tree / "dist", today=DAY
        )


def test_release_without_version_needs_a_released_section(tree):
    with pytest.raises(release.ReleaseError, match=r"no released section for 0\.1\.0"):
        release.command_release(
            tree, "stellars-auth", None, tag=False, out=tree / "dist", today=DAY
        )


def test_tag_with_a_version_is_refused(tree):
    with pytest.raises(release.ReleaseError, match="commit the release first"):
        release.command_release(
            tree, "stellars-auth", Version("0.2.0"), tag=True, out=tree / "dist", today=DAY
        )


def test_tag_name():
    package = release.Package("stellars-auth", Path(), Version("0.2.0"), ())
    assert release.tag_name(package) == "stellars-auth-v0.2.0"


# ------------------------------------------------------------------ wheel contents


def _wheel(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "")
    return path


def test_the_ui_wheel_must_carry_what_its_code_reads(tmp_path):
    package = release.read_package(ROOT, "stellars-ui")
    expected = release.source_files(package)
    # What the UI reads at run time is part of what is checked.
    assert "stellars_ui/templates/activity.html" in expected
    assert any(name.startswith("stellars_ui/templates/") for name in expected)
    assert any(name.startswith("stellars_ui/static/") for name in expected)
    full = _wheel(tmp_path / "full.whl", expected)
    assert release.wheel_problems(package, full, expected) == []
    lacking = [name for name in expected if name != "stellars_ui/templates/activity.html"]
    partial = _wheel(tmp_path / "partial.whl", lacking)
    assert release.wheel_problems(package, partial, expected) == [
        "partial.whl lacks stellars_ui/templates/activity.html"
    ]


def test_a_wheel_without_py_typed_is_reported(tmp_path):
    package = release.read_package(ROOT, "stellars-auth")
    wheel = _wheel(tmp_path / "auth.whl", ["stellars_auth/__init__.py"])
    assert release.wheel_problems(package, wheel, ["stellars_auth/__init__.py"]) == [
        "auth.whl lacks stellars_auth/py.typed"
    ]


def test_the_auth_templates_are_source_files():
    package = release.read_package(ROOT, "stellars-auth")
    assert any(
        name.startswith("stellars_auth/templates/") for name in release.source_files(package)
    )


# ------------------------------------------------------------------ building: uv, twine


def _git(tree: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_twine_refuses_a_package_without_description(tmp_path):
    path = tmp_path / "packages" / "stellars-x"
    (path / "src" / "stellars_x").mkdir(parents=True)
    (path / "src" / "stellars_x" / "__init__.py").write_text("")
    (path / "src" / "stellars_x" / "py.typed").write_text("")
    (path / "pyproject.toml").write_text(
        textwrap.dedent("""\
            [build-system]
            requires = ["hatchling>=1.25"]
            build-backend = "hatchling.build"

            [project]
            name = "stellars-x"
            version = "0.1.0"
        """)
    )
    _git(tmp_path, "init", "-q")
    package = release.Package("stellars-x", path, Version("0.1.0"), ())
    problems = release.check_package(package, tmp_path / "dist")
    assert len(problems) == 1
    assert problems[0].startswith("twine check --strict:")
    assert "long_description" in problems[0]


def test_a_release_of_core_end_to_end(tmp_path, capsys):
    tree = tmp_path / "tree"
    for folder in ("packages", "testing"):
        shutil.copytree(
            ROOT / folder,
            tree / folder,
            ignore=shutil.ignore_patterns("__pycache__", "tests", "*.egg-info"),
        )
    # The workspace, so that uv.lock is part of the release.
    for file in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / file, tree / file)
    _git(tree, "init", "-q")
    _git(tree, "add", ".")
    _git(tree, "commit", "-q", "-m", "packages")
    out = tmp_path / "dist"

    status = release.command_release(
        tree, "stellars-core", Version("0.2.0"), tag=False, out=out, today=DAY
    )
    assert status == 0
    assert sorted(p.name for p in (out / "stellars-core").glob("stellars_core-*")) == [
        "stellars_core-0.2.0-py3-none-any.whl",
        "stellars_core-0.2.0.tar.gz",
    ]
    printed = capsys.readouterr().out
    assert 'git commit -am "stellars-core 0.2.0"' in printed
    assert "stellars-ui now requires stellars-core >=0.2,<0.3: release it next" in printed
    changed = sorted(line.split()[-1] for line in release.dirty_files(tree))
    assert changed == [
        "packages/stellars-activity/pyproject.toml",
        "packages/stellars-auth/pyproject.toml",
        "packages/stellars-core/CHANGELOG.md",
        "packages/stellars-core/pyproject.toml",
        "packages/stellars-docker/pyproject.toml",
        "packages/stellars-hub/pyproject.toml",
        "packages/stellars-ui/pyproject.toml",
        "uv.lock",
    ]
    lock = _git(tree, "diff", "uv.lock")
    assert (
        '-version = "0.1.0"\n+version = "0.2.0"\n source = { editable = "packages/stellars-core" }'
        in lock
    )

    _git(tree, "commit", "-q", "-am", "stellars-core 0.2.0")
    status = release.command_release(tree, "stellars-core", None, tag=True, out=out, today=DAY)
    assert status == 0
    assert _git(tree, "tag", "--list").split() == ["stellars-core-v0.2.0"]
