"""Test sessions: each package installed alone, everything together, lint and types.

``nox`` runs every session, which is what CI runs; ``nox -l`` lists them.
Packages that import JupyterHub are tested against JupyterHub 5 and 6.
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import nox
from packaging.requirements import Requirement

ROOT = Path(__file__).parent
REPORTS = ROOT / ".cache" / "reports"
TESTING = "./testing/stellars-testing"


def _uv_overrides() -> Path:
    """Write the workspace's ``[tool.uv] override-dependencies`` where ``uv pip`` reads them.

    The sessions install with ``uv pip install``, which does not read
    pyproject.toml's overrides: UV_OVERRIDE hands it the same list, so
    every session's environment is resolved like the lock (pyproject.toml
    says why each override is there).
    """
    uv = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]
    path = ROOT / ".cache" / "uv-overrides.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in uv.get("override-dependencies", [])))
    return path


os.environ["UV_OVERRIDE"] = str(_uv_overrides())
# Byte-code is written as modules are first imported, by whichever process
# imports them first: where PYTHONDONTWRITEBYTECODE is set (as on some CI
# runners) nothing would ever be cached, and every hub the tests start would
# compile JupyterHub, SQLAlchemy and tornado again (1.8 s of CPU a start).
# Not UV_COMPILE_BYTECODE: compiling every installed module at install cost
# 7 to 13 s of CPU per session (playwright, jupyter-server, the docker SDK...),
# against about 1 s for the modules a session imports (docs/testing.md).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
nox.options.default_venv_backend = "uv"
nox.options.error_on_missing_interpreters = True
nox.options.reuse_existing_virtualenvs = True

PYTHON = "3.11"
JUPYTERHUB = {"5": "jupyterhub>=5.5.1,<6", "6": "jupyterhub>=6,<7"}
# package -> whether it imports JupyterHub (directly or through DockerSpawner).
PACKAGES = {
    "stellars-core": False,
    "stellars-auth": True,
    "stellars-docker": True,
    "stellars-activity": True,
    "stellars-ui": True,
    "stellars-hub": True,
}
# Local lab servers in the hub-layer broadcast tests: jupyter-server and the
# extension the lab image carries (the image itself is the Docker layer's).
LAB_SERVER = "jupyterlab-notifications-extension>=1.2,<2"
LINTED = ["packages", "testing", "tests", "bench", "deploy", "scripts", "noxfile.py"]


# The extras each package's own session installs: its tests run the platform
# on Docker, which stellars-ui and stellars-hub have as an extra.
SESSION_EXTRAS = {"stellars-ui": ("docker",), "stellars-hub": ("docker",)}
# The packages the kubernetes session installs: the platform without its
# Docker extra (see the session).
WITHOUT_DOCKER = [
    "stellars-core",
    "stellars-auth",
    "stellars-activity",
    "stellars-ui",
    "stellars-hub",
]


def _declared_siblings(package: str, extras: tuple[str, ...] = ()) -> set[str]:
    """Return the sibling packages *package* (with *extras*) depends on, transitively."""
    project = tomllib.loads((ROOT / "packages" / package / "pyproject.toml").read_text())["project"]
    requirements = [
        *project["dependencies"],
        *(r for extra in extras for r in project.get("optional-dependencies", {})[extra]),
    ]
    found: set[str] = set()
    for requirement in requirements:
        name = Requirement(requirement).name
        if name in PACKAGES and name not in found:
            found |= {name, *_declared_siblings(name, SESSION_EXTRAS.get(name, ()))}
    return found


def _with_extras(package: str) -> str:
    extras = SESSION_EXTRAS.get(package, ())
    return f"./packages/{package}" + (f"[{','.join(extras)}]" if extras else "")


# The hub image's build runs every package's unit tests (deploy/hub/Dockerfile),
# so only the session that needs the image builds it: a failing unit test then
# fails its package's session and the deploy session, while every other
# session still runs and reports.
# The images only the swarm session uses: its test swarm's nodes, and the
# PostgreSQL and registry of deploy/stack.yml.
SWARM_IMAGES = "swarm-node-image,postgres-image,registry-image"
WITHOUT_HUB_IMAGE = ("--except", f"hub-image,{SWARM_IMAGES}")


def _environment(session: nox.Session, *parts: str) -> dict[str, str]:
    """Provision the real components (idempotent, fast when done) and return their settings.

    *parts* are provision-all.sh's arguments; none provisions everything.
    """
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "provision-all.sh"), *parts],
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        message = f"provisioning failed:\n{result.stderr}"
        if os.environ.get("CI") == "true":
            session.error(message)
        session.warn(message + "\ntests that need the missing components will be skipped")
    env = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    if "STELLARS_CHP_BIN_DIR" in env:
        env["PATH"] = f"{env.pop('STELLARS_CHP_BIN_DIR')}{os.pathsep}{os.environ['PATH']}"
    return env


def _pytest(
    session: nox.Session,
    tests: Path,
    report: str,
    *args: str,
    provision: bool = True,
    components: tuple[str, ...] = WITHOUT_HUB_IMAGE,
    env: dict[str, str] | None = None,
    fuzzer: bool = False,
) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    # Schemathesis (a dependency of stellars-testing) loads its pytest plugin
    # into every run, a second of CPU each; only the API fuzzer uses it.
    plugins_off = [] if fuzzer else ["-p", "no:schemathesis"]
    session.run(
        "pytest",
        str(tests),
        *args,
        *plugins_off,
        "-p",
        "no:cacheprovider",
        f"--rootdir={tests.parent}",
        "-o",
        "junit_family=xunit1",
        f"--junitxml={REPORTS / report}.xml",
        *session.posargs,
        env={**(_environment(session, *components) if provision else {}), **(env or {})},
    )


# On the older JupyterHub a session runs what that version can change
# (docs/testing.md): not the PostgreSQL cases, whose difference is SQL, and
# not the tests marked same_on_every_jupyterhub.
OLDER_JUPYTERHUB = "5"
WHAT_THE_OLDER_CAN_CHANGE = "not database and not same_on_every_jupyterhub"


def _package_session(package: str, *, imports_jupyterhub: bool) -> None:
    def run(session: nox.Session, jupyterhub: str | None = None) -> None:
        siblings = _declared_siblings(package, SESSION_EXTRAS.get(package, ()))
        installs = [f"./packages/{name}" for name in sorted(siblings)]
        extra = [JUPYTERHUB[jupyterhub]] if jupyterhub else []
        session.install(_with_extras(package), *installs, TESTING, *extra)
        suffix = f"-jupyterhub{jupyterhub}" if jupyterhub else ""
        selection = ["-m", WHAT_THE_OLDER_CAN_CHANGE] if jupyterhub == OLDER_JUPYTERHUB else []
        _pytest(session, ROOT / "packages" / package / "tests", f"{package}{suffix}", *selection)

    run.__doc__ = f"Test {package} installed alone, with only its declared dependencies."
    if imports_jupyterhub:
        run = nox.parametrize("jupyterhub", list(JUPYTERHUB))(run)
    nox.session(name=package.removeprefix("stellars-"), python=PYTHON)(run)


for _package, _imports_jupyterhub in PACKAGES.items():
    _package_session(_package, imports_jupyterhub=_imports_jupyterhub)


@nox.session(python=PYTHON)
def testing(session: nox.Session) -> None:
    """The test plugin's own rules (layers, missing components in CI), run by pytester."""
    session.install(TESTING)
    _pytest(session, ROOT / "testing" / "stellars-testing" / "tests", "stellars-testing")


# The integration suite by JupyterHub version and by layer (pytest -m), in
# sessions short enough for the workers of scripts/test.sh to share out. The
# newest JupyterHub runs all of it. The older one runs what its version can
# change (docs/testing.md): the hub tests on SQLite, and the
# browser tests of pages that JupyterHub's own templates and scripts shape
# (marked ``jupyterhub_pages``: every page's rendering and accessibility, the
# admin page's dialogs, the spawn and sign-in forms). Left to the newest: the
# platform's own page scripts and the Docker layer, which behave the same on
# both (each package's own session runs its Docker tests on both versions,
# but for those marked as below);
# the database layer, as PostgreSQL changes SQL, not what JupyterHub's version
# does; and tests marked ``same_on_every_jupyterhub`` (the API fuzzer here).
# The Docker layer, the longest, in two: the modules that wait on the idle
# culler, the quota's checks and account deletions, and the rest (pytest -k
# with the same expression and its negation, so a new module is in one).
DOCKER_WAITS = (
    "test_idle_culler or test_quota_on_docker or test_cull_warnings_on_docker"
    " or test_account_delete_on_docker"
)
INTEGRATION_PARTS = [
    nox.param(
        OLDER_JUPYTERHUB,
        f"not docker and {WHAT_THE_OLDER_CAN_CHANGE} and (not browser or jupyterhub_pages)",
        "",
        "",
        id="jupyterhub='5'",
    ),
    nox.param(
        "6", "docker", DOCKER_WAITS, "-docker-waits", id="jupyterhub='6', layers='docker waits'"
    ),
    nox.param(
        "6", "docker", f"not ({DOCKER_WAITS})", "-docker", id="jupyterhub='6', layers='docker'"
    ),
    nox.param("6", "browser", "", "-browser", id="jupyterhub='6', layers='browser'"),
    nox.param("6", "not docker and not browser", "", "", id="jupyterhub='6', layers='hub'"),
]


@nox.session(python=PYTHON)
def kubernetes(session: nox.Session) -> None:
    """configure() for KubeSpawner with no Docker package installed (docs/kubernetes.md)."""
    # The platform without its Docker extra, and pytest alone: stellars-testing
    # depends on the docker SDK, so it stays out, and the test needs none of it.
    session.install(*(f"./packages/{name}" for name in WITHOUT_DOCKER), "pytest>=8")
    _pytest(
        session,
        ROOT / "packages" / "stellars-hub" / "tests" / "test_configure_kubernetes.py",
        "kubernetes",
        provision=False,
        # Runs the tests that prove this environment (see the tests' conftest.py).
        env={"STELLARS_WITHOUT_DOCKER": "1"},
    )


@nox.session(python=PYTHON)
@nox.parametrize(("jupyterhub", "layers", "modules", "report_suffix"), INTEGRATION_PARTS)
def integration(
    session: nox.Session, jupyterhub: str, layers: str, modules: str, report_suffix: str
) -> None:
    """Everything together: real hub, Docker engine, browser and PostgreSQL."""
    session.install(
        *(_with_extras(name) for name in PACKAGES), TESTING, LAB_SERVER, JUPYTERHUB[jupyterhub]
    )
    _pytest(
        session,
        ROOT / "tests" / "integration",
        f"integration-jupyterhub{jupyterhub}{report_suffix}",
        "-m",
        layers,
        *(["-k", modules] if modules else []),
        fuzzer=True,
    )


@nox.session(python=PYTHON)
def deploy(session: nox.Session) -> None:
    """deploy/compose.yml run by compose: the hub image spawning the lab image, through a login."""
    # The platform runs inside the hub image; this side only drives compose
    # and HTTP, and reads compose.yml.
    session.install(TESTING, "pyyaml>=6")
    _pytest(session, ROOT / "tests" / "deploy", "deploy", components=("--except", SWARM_IMAGES))


@nox.session(python=PYTHON)
def swarm(session: nox.Session) -> None:
    """The hub image on a Docker Swarm of three nodes, each an engine in a container."""
    # As for deploy: the platform runs inside the hub image, on the nodes.
    session.install(TESTING)
    _pytest(session, ROOT / "tests" / "swarm", "swarm", components=())


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks against a baseline in the same run (not part of CI; see docs/benchmarks.md)."""
    session.install(*(_with_extras(name) for name in PACKAGES), TESTING)
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs, env=_environment(session))


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff (every rule unless pyproject.toml says why not; the formatter), import contracts."""
    # lint-imports reads the packages' sources where Python finds them; it
    # imports none of them, so their dependencies need not be installed.
    session.install("ruff", "import-linter")
    session.install("--no-deps", *(f"-e./packages/{name}" for name in PACKAGES), f"-e{TESTING}")
    session.run("ruff", "check", *LINTED)
    session.run("ruff", "format", "--check", *LINTED)
    session.run("lint-imports")


# What building and checking distributions needs: scripts/release.py runs
# uv and twine from the session's environment.
RELEASE_TOOLS = ["uv", "twine>=6.1", "packaging", "import-linter"]


@nox.session(python=PYTHON)
def packaging(session: nox.Session) -> None:
    """Every package builds, passes twine check --strict, ships its files; sibling ranges agree."""
    session.install(*RELEASE_TOOLS, "pytest")
    _pytest(session, ROOT / "tests" / "release", "packaging", provision=False)
    session.run("python", str(ROOT / "scripts" / "release.py"), "check")


@nox.session(python=PYTHON, default=False)
def release(session: nox.Session) -> None:
    """Release one package but for publishing: nox -s release -- PACKAGE [VERSION] [--tag]."""
    if not session.posargs:
        session.error("name the package: nox -s release -- stellars-auth [0.2.0] [--tag]")
    session.install(*RELEASE_TOOLS)
    session.run("python", str(ROOT / "scripts" / "release.py"), "release", *session.posargs)


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy, strict, on every package and the test support."""
    session.install("mypy", *(f"-e./packages/{name}" for name in PACKAGES), f"-e{TESTING}")
    modules = [name.replace("-", "_") for name in [*PACKAGES, "stellars-testing"]]
    session.run("mypy", *(arg for module in modules for arg in ("-p", module)))
