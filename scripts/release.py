"""Release the packages under packages/: everything but publishing (docs/releasing.md).

``release.py check`` (nox session ``packaging``, part of CI) builds every
package, runs ``twine check --strict`` on what it built, checks that each
wheel holds every file of the package's source folder (templates, static
files, ``py.typed``: what the code reads at run time) and
that every sibling range admits the sibling's current version.

``release.py release PACKAGE [VERSION] [--tag]`` (nox session ``release``)
on a clean tree: with VERSION, sets it in the package's pyproject.toml, turns
the changelog's "unreleased" section into VERSION's with today's date,
widens the siblings' ranges that no longer admit it and updates uv.lock, so
the whole release is one diff to review and commit; without, checks that the changelog has a
section for the pyproject's version. Either way it builds the sdist and wheel
into ``dist/PACKAGE/``, checks them as ``check`` does and prints the tag
command, or with ``--tag`` (no VERSION: the tag names a commit) makes the tag.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
# Dependants after what they depend on: the order a chain of releases takes.
PACKAGES = (
    "stellars-core",
    "stellars-auth",
    "stellars-docker",
    "stellars-activity",
    "stellars-ui",
    "stellars-hub",
)
_VERSION_LINE = re.compile(r'^version = "(?P<version>[^"]+)"$', re.MULTILINE)
_SECTION = re.compile(r"^## (?P<version>\S+) \((?P<when>[^)]*)\)$", re.MULTILINE)
_UNRELEASED = "unreleased"


class ReleaseError(Exception):
    """A release step cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Package:
    """One distribution under packages/, as its pyproject.toml declares it."""

    name: str
    path: Path
    version: Version
    requirements: tuple[Requirement, ...]

    @property
    def module(self) -> str:
        """Return the import name (``stellars-auth`` -> ``stellars_auth``)."""
        return self.name.replace("-", "_")


def read_package(root: Path, name: str) -> Package:
    """Return *name*'s package from ``root/packages/name/pyproject.toml``.

    Raises:
        ReleaseError: the version is not a valid version.
    """
    path = root / "packages" / name
    project = tomllib.loads((path / "pyproject.toml").read_text())["project"]
    try:
        version = Version(project["version"])
    except InvalidVersion as error:
        raise ReleaseError(f"{name}: {error}") from error
    # A sibling behind an extra (stellars-hub[docker]) is held to its range too.
    extras = project.get("optional-dependencies", {}).values()
    lines = [*project.get("dependencies", []), *(line for extra in extras for line in extra)]
    requirements = tuple(Requirement(line) for line in lines)
    return Package(name, path, version, requirements)


def read_packages(root: Path) -> dict[str, Package]:
    """Return every package under ``root/packages`` by name, in release order."""
    return {name: read_package(root, name) for name in PACKAGES}


# ------------------------------------------------------------------ checks


def range_problems(packages: dict[str, Package]) -> list[str]:
    """Return one line per sibling range that does not admit the sibling's current version."""
    problems = []
    for package in packages.values():
        for requirement in package.requirements:
            sibling = packages.get(requirement.name)
            if sibling is None:
                continue
            if not requirement.specifier.contains(sibling.version, prereleases=True):
                problems.append(
                    f"{package.name} requires {requirement}, which leaves out "
                    f"{sibling.name} {sibling.version}"
                )
    return problems


def source_files(package: Package) -> list[str]:
    """Return the files of the package's import folder that git keeps, relative to ``src/``."""
    src = package.path / "src"
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "."],
        cwd=src / package.module,
        capture_output=True,
        check=True,
    ).stdout.decode()
    # Deleted in the work tree but still in the index: no wheel has it either.
    return sorted(
        f"{package.module}/{name}"
        for name in listed.split("\0")
        if name and (src / package.module / name).is_file()
    )


def wheel_problems(package: Package, wheel: Path, expected: list[str]) -> list[str]:
    """Return one line per file of *expected* (and ``py.typed``) that *wheel* lacks."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    wanted = sorted({*expected, f"{package.module}/py.typed"})
    return [f"{wheel.name} lacks {name}" for name in wanted if name not in names]


def build(package: Package, out_dir: Path) -> list[Path]:
    """Build *package*'s sdist and wheel into *out_dir* (emptied first); return both paths.

    Raises:
        ReleaseError: ``uv build`` failed or made something other than one of each.
    """
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    result = subprocess.run(
        [_tool("uv"), "build", "--quiet", "--out-dir", str(out_dir), str(package.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ReleaseError(f"uv build {package.name} failed:\n{result.stderr}")
    made = sorted(out_dir.glob("*.tar.gz")) + sorted(out_dir.glob("*.whl"))
    if len(made) != 2:  # noqa: PLR2004 - one sdist, one wheel
        raise ReleaseError(f"uv build {package.name} made {[p.name for p in made]}")
    return made


def twine_problems(distributions: list[Path]) -> list[str]:
    """Return twine's complaints about *distributions* (``twine check --strict``)."""
    result = subprocess.run(
        [_tool("twine"), "check", "--strict", *map(str, distributions)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return []
    return [f"twine check --strict: {result.stdout}{result.stderr}".strip()]


def check_package(package: Package, out_dir: Path) -> list[str]:
    """Build *package* into *out_dir*; return what ``twine`` and the wheel check found wrong."""
    made = build(package, out_dir)
    wheel = next(path for path in made if path.suffix == ".whl")
    return twine_problems(made) + wheel_problems(package, wheel, source_files(package))


def _tool(name: str) -> str:
    # The nox session installs both into its environment; elsewhere they
    # may sit next to this interpreter without being on PATH.
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise ReleaseError(f"{name} not found: run this through nox (nox -s packaging)")
    return found


# ------------------------------------------------------------------ edits


def set_version(pyproject: str, version: Version) -> str:
    """Return *pyproject* (a pyproject.toml's text) with its project version set to *version*.

    Raises:
        ReleaseError: the text has no single ``version = "..."`` line.
    """
    if len(_VERSION_LINE.findall(pyproject)) != 1:
        raise ReleaseError('expected exactly one `version = "..."` line in pyproject.toml')
    return _VERSION_LINE.sub(f'version = "{version}"', pyproject)


def compatible_range(version: Version) -> str:
    """Return the range compatible with *version*: its minor before 1.0, its major from 1.0."""
    if version.major == 0:
        return f">=0.{version.minor},<0.{version.minor + 1}"
    return f">={version.major}.{version.minor},<{version.major + 1}"


def widen_range(pyproject: str, sibling: str, version: Version) -> str:
    """Return *pyproject* with its requirement on *sibling* admitting *version*.

    A range that admits it already stays as written; another becomes
    :func:`compatible_range`, the comment and order of the lines kept.
    """

    def replace(match: re.Match[str]) -> str:
        requirement = Requirement(match["requirement"])
        if requirement.specifier.contains(version, prereleases=True):
            return match[0]
        return f'{match["indent"]}"{sibling}{compatible_range(version)}",'

    pattern = re.compile(
        rf'^(?P<indent>\s*)"(?P<requirement>{re.escape(sibling)}[<>=!~,.\d\s]*)",$',
        re.MULTILINE,
    )
    return pattern.sub(replace, pyproject)


def changelog_versions(changelog: str) -> dict[str, str]:
    """Return each section's version and what its heading says of it (a date or "unreleased")."""
    return {match["version"]: match["when"] for match in _SECTION.finditer(changelog)}


def release_changelog(changelog: str, version: Version, date: dt.date) -> str:
    """Return *changelog* with its unreleased section turned into *version*'s of *date*.

    Raises:
        ReleaseError: there is no unreleased section, more than one, or
            *version* is not above every released one.
    """
    unreleased = [m for m in _SECTION.finditer(changelog) if m["when"] == _UNRELEASED]
    if len(unreleased) != 1:
        raise ReleaseError(
            f'CHANGELOG.md needs exactly one "## <version> (unreleased)" section, '
            f"has {len(unreleased)}: write what changed there first"
        )
    for released, when in changelog_versions(changelog).items():
        if when != _UNRELEASED and Version(released) >= version:
            raise ReleaseError(f"{released} is released already ({when}); {version} must be above")
    match = unreleased[0]
    heading = f"## {version} ({date.isoformat()})"
    return changelog[: match.start()] + heading + changelog[match.end() :]


def prepare(root: Path, name: str, version: Version, date: dt.date) -> list[str]:
    """Set *name*'s version, date its changelog section and widen its dependants' ranges.

    The workspace's ``uv.lock``, where there is one, is updated to match.
    Returns the packages whose ranges changed (each needs a release of its own).

    Raises:
        ReleaseError: *version* is below the current one, the changelog
            cannot be moved (see :func:`release_changelog`), or ``uv lock``
            failed.
    """
    packages = read_packages(root)
    package = packages[name]
    if version < package.version:
        raise ReleaseError(f"{name} is at {package.version} already; {version} is below it")
    changelog_path = package.path / "CHANGELOG.md"
    changelog = release_changelog(changelog_path.read_text(), version, date)
    pyproject_path = package.path / "pyproject.toml"
    pyproject = set_version(pyproject_path.read_text(), version)
    changed = []
    edits = {changelog_path: changelog, pyproject_path: pyproject}
    for other in packages.values():
        if any(r.name == name for r in other.requirements):
            path = other.path / "pyproject.toml"
            before = edits.get(path, path.read_text())
            after = widen_range(before, name, version)
            if after != before:
                edits[path] = after
                changed.append(other.name)
    # Written only once every edit is known to work: nothing half applied.
    for path, text in edits.items():
        path.write_text(text)
    _relock(root)
    return changed


def _relock(root: Path) -> None:
    # The workspace's uv.lock records each package's version: without this
    # the release diff would leave it stale, and the hub image's build
    # (uv export --locked) would refuse it.
    if not (root / "uv.lock").exists():
        return
    result = subprocess.run(
        [_tool("uv"), "lock", "--quiet"], cwd=root, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ReleaseError(f"uv lock failed (the other edits are made):\n{result.stderr}")


def dirty_files(root: Path) -> list[str]:
    """Return what ``git status`` lists as changed or untracked under *root*."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=normal"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in status.splitlines() if line.strip()]


def tag_name(package: Package) -> str:
    """Return the git tag of *package*'s current version (``stellars-auth-v0.2.0``)."""
    return f"{package.name}-v{package.version}"


# ------------------------------------------------------------------ commands


def _report(problems: list[str]) -> int:
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1 if problems else 0


def command_check(root: Path, out: Path) -> int:
    """Check every package (see the module's docstring); return the exit status."""
    packages = read_packages(root)
    problems = range_problems(packages)
    for package in packages.values():
        found = check_package(package, out / package.name)
        problems += found
        print(f"{package.name} {package.version}: {'ok' if not found else 'FAILED'}")
    if problems:
        print("packaging check failed:", file=sys.stderr)
    return _report(problems)


def command_release(
    root: Path, name: str, version: Version | None, *, tag: bool, out: Path, today: dt.date
) -> int:
    """Prepare and check a release of *name* (see the module's docstring); return the exit status.

    Raises:
        ReleaseError: the tree is not clean, the changelog is not ready, or
            ``--tag`` came with a version.
    """
    if name not in PACKAGES:
        raise ReleaseError(f"unknown package {name!r}; one of {', '.join(PACKAGES)}")
    dirty = dirty_files(root)
    if dirty:
        raise ReleaseError(
            "the work tree has changes; commit or stash them first:\n" + "\n".join(dirty)
        )
    if version is not None and tag:
        raise ReleaseError(
            "--tag names a commit: commit the release first, then run without VERSION"
        )
    changed: list[str] = []
    if version is not None:
        changed = prepare(root, name, version, today)
    package = read_package(root, name)
    when = changelog_versions((package.path / "CHANGELOG.md").read_text()).get(str(package.version))
    if when is None or when == _UNRELEASED:
        raise ReleaseError(
            f"CHANGELOG.md of {name} has no released section for {package.version}: "
            f"run with the version to release ({name} {package.version})"
        )
    problems = range_problems(read_packages(root)) + check_package(package, out / name)
    if problems:
        print(f"{name} {package.version} is not ready:", file=sys.stderr)
        return _report(problems)
    # uv build leaves a .gitignore of its own there.
    built = ", ".join(sorted(p.name for p in (out / name).iterdir() if p.name != ".gitignore"))
    print(f"{name} {package.version}: built and checked {built} in {out / name}")
    if version is not None:
        print("review and commit the release:")
        print("  git diff")
        print(f'  git commit -am "{name} {package.version}"')
        print(f"then tag it: nox -s release -- {name} --tag")
        for other in changed:
            print(
                f"{other} now requires {name} {compatible_range(package.version)}: release it next"
            )
    elif tag:
        subprocess.run(["git", "tag", tag_name(package)], cwd=root, check=True)
        print(f"tagged {tag_name(package)}; publish (docs/releasing.md), then:")
        print(f"  git push origin {tag_name(package)}")
    else:
        print(f"tag it:   git tag {tag_name(package)}   (or: nox -s release -- {name} --tag)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command *argv* names; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="build and check every package")
    check.add_argument("--out", type=Path, help="where to build (default: a temporary folder)")
    release = commands.add_parser("release", help="prepare, build and check one package")
    release.add_argument("package", choices=PACKAGES)
    release.add_argument("version", nargs="?", type=Version, help="the version to release")
    release.add_argument("--tag", action="store_true", help="make the git tag of the version")
    release.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    root = Path(os.environ.get("STELLARS_RELEASE_ROOT", ROOT))
    try:
        if args.command == "check":
            if args.out is not None:
                return command_check(root, args.out)
            with tempfile.TemporaryDirectory(prefix="stellars-packaging-") as out:
                return command_check(root, Path(out))
        return command_release(
            root,
            args.package,
            args.version,
            tag=args.tag,
            out=args.out,
            today=dt.datetime.now(dt.UTC).date(),
        )
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
