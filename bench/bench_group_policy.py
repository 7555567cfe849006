"""What group policy costs: evaluating a user's policy, and a spawn with it against one without.

**Evaluation.** A hub database (SQLite, then PostgreSQL from
``STELLARS_TEST_POSTGRES_URL``) with JupyterHub's tables and the
platform's, 1,000 groups each with a policy (limits, GPUs, variables,
every tenth with profiles), and a user in 50 of them. Times
``stellars_docker.policy.user_policy`` (one query for the user's groups
and their policies, then the merge); the baseline is reading the same
user's groups through JupyterHub's ORM (the relationship expired before
each read, so it really reads), as JupyterHub does at a spawn anyway.
The figure to keep under 5 ms is the policy's p95.

**Spawn.** Two real hubs on the local engine, the platform's configuration
on both; on one the policy part of the pre-spawn hook is replaced by a hook
that does nothing (the spawn as before group policy). Each has the 1,000
groups and a user in 50 of them. Spawns alternate between the hubs, one
at a time, each hub first in every other round, so both see the same
engine; each spawn is timed by JupyterHub itself (its "took N seconds to
start": from the start request to the server answering), then stopped. The ratio of the medians
must stay within 1.05.

    nox -s bench            # or: python bench/bench_group_policy.py --rounds 8
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from _measure import percentile
from jupyterhub import orm

from stellars_docker import ACTING_GRANTER, Granter, GrantRecorder
from stellars_docker.policy import (
    EnvironmentVariable,
    GroupPolicy,
    PolicySettings,
    Profile,
    save_policy,
    user_policy,
)
from stellars_docker.schema import HISTORY
from stellars_testing import database, wait_until
from stellars_testing.docker_engine import DockerRun, bridge_gateway, connect, lab_image
from stellars_testing.hub import RunningHub, platform_config, start_hub, stop_hub
from stellars_testing.schema import migrate

if TYPE_CHECKING:
    from collections.abc import Callable

GROUPS = 1000
MEMBER_OF = 50
GIB = 1024**3
BOSS = Granter("bench", full_admin=True)
# The config that takes the policy out of the spawn: the hook part does nothing.
WITHOUT_POLICY = (
    "import stellars_hub.configure as _configure\n"
    "async def _no_policy(spawner):\n"
    "    return None\n"
    "_configure.make_policy_hook = lambda *args, **kwargs: _no_policy\n"
)


def policy_of(number: int, image: str) -> GroupPolicy:
    """Return the policy of group *number*: a few of every kind of field, as teams write them."""
    profiles = ()
    if number % 10 == 0:
        profiles = (
            Profile(name=f"std-{number}", display_name="Standard", image=image, cpu_limit=1.0),
            Profile(name=f"big-{number}", display_name="Big", image=image, mem_limit=8 * GIB),
        )
    return GroupPolicy(
        priority=number % 7,
        cpu_limit=1.0 + number % 5,
        mem_limit=(1 + number % 9) * GIB,
        gpus=(str(number % 8),),
        max_servers=1 + number % 3,
        volume_quota=(10 + number % 50) * GIB,
        environment=tuple(
            EnvironmentVariable(name=f"TEAM_{number % 13}_{k}", value=str(number)) for k in range(4)
        ),
        profiles=profiles,
    )


def add_teams(
    session: orm.Session, user: orm.User, policy_for: Callable[[int], GroupPolicy]
) -> None:
    """Add the groups with the policy *policy_for* gives each, and *user* in 50 of them."""
    groups = [orm.Group(name=f"team-{number:04}") for number in range(GROUPS)]
    session.add_all(groups)
    session.commit()
    token = ACTING_GRANTER.set(BOSS)
    try:
        for group in groups[:: GROUPS // MEMBER_OF]:
            group.users.append(user)
        session.commit()
    finally:
        ACTING_GRANTER.reset(token)
    for number, group in enumerate(groups):
        save_policy(session, group.name, policy_for(number), by="bench", by_full_admin=True)


def time_evaluation(db_url: str, calls: int) -> tuple[list[float], list[float]]:
    """Return the ms of each core group read and each policy evaluation on *db_url*."""
    recorder = GrantRecorder(groups=None)
    recorder.loading_configuration = False
    recorder.install()
    session = orm.new_session_factory(db_url)()
    try:
        migrate(db_url, HISTORY)
        user = orm.User(name="ada")
        session.add(user)
        add_teams(session, user, lambda number: policy_of(number, "lab:bench"))
        settings = PolicySettings(default=GroupPolicy(cpu_limit=0.5, mem_limit=GIB))
        core, platform = [], []
        for _ in range(calls):
            # The memberships are read again each time; the user's own row is
            # loaded already at a spawn, so it stays.
            session.expire(user, ["groups"])
            started = time.perf_counter()
            names = [group.name for group in user.groups]
            core.append((time.perf_counter() - started) * 1000)
            assert len(names) == MEMBER_OF
            started = time.perf_counter()
            policy = user_policy(session, user, settings)
            platform.append((time.perf_counter() - started) * 1000)
            assert len(policy.groups) == MEMBER_OF
        return core, platform
    finally:
        session.close()
        session.get_bind().dispose()
        recorder.uninstall()


def _groups_on(hub: RunningHub, username: str, image: str) -> None:
    """Give *hub* the groups, their policies and *username* in 50 of them, through its database."""
    session = orm.new_session_factory(hub.db_url)()
    try:
        add_teams(
            session,
            orm.User.find(session, username),
            # Within what a lab on this machine can run: no GPUs, no other image.
            lambda number: policy_of(number, image).model_copy(
                update={"gpus": None, "profiles": ()}
            ),
        )
    finally:
        session.close()
        session.get_bind().dispose()


def _spawn_once(hub: RunningHub, username: str) -> float:
    # JupyterHub's own figure, from the start request to the server answering:
    # exact, where polling the REST API would round it to its interval.
    took = re.compile(rf"User {re.escape(username)} took ([0-9.]+) seconds to start")
    before = len(took.findall(hub.log_since_start()))
    hub.api("POST", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=True)
    wait_until(
        lambda: len(took.findall(hub.log_since_start())) > before,
        timeout_s=30,
        what=f"the hub to log {username}'s start",
    )
    elapsed = float(took.findall(hub.log_since_start())[-1])
    hub.api("DELETE", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=False)
    return elapsed


def time_spawns(rounds: int) -> tuple[list[float], list[float]]:
    """Return the seconds of each spawn without the policy and with it, alternating."""
    client = connect()
    run = DockerRun(client, f"bench{uuid.uuid4().hex[:8]}")
    image = lab_image(client)
    settings = {
        "JUPYTERHUB_NOTEBOOK_IMAGE": image,
        "JUPYTERHUB_SHARED_VOLUME": f"bench_shared_{run.run_id}",
        "JUPYTERHUB_GPU_ENABLED": "0",
        "JUPYTERHUB_ADMIN_PASSWORD": "bench",
    }
    labels = f"c.DockerSpawner.extra_create_kwargs['labels'].update({run.labels!r})"
    hubs: dict[str, RunningHub] = {}
    users = {"without": f"plain-{run.run_id}", "with": f"teams-{run.run_id}"}
    timings: dict[str, list[float]] = {"without": [], "with": []}
    with tempfile.TemporaryDirectory() as workdir:
        try:
            for kind, prefix in (("without", WITHOUT_POLICY), ("with", "")):
                folder = Path(workdir) / kind
                folder.mkdir()
                config = prefix + platform_config(settings, labels)
                hubs[kind] = start_hub(folder, config, hub_ip=bridge_gateway(client))
                hubs[kind].api("POST", f"users/{users[kind]}").raise_for_status()
                _groups_on(hubs[kind], users[kind], image)
            for kind, hub in hubs.items():  # a first spawn each, not timed: caches warm
                _spawn_once(hub, users[kind])
            for round_number in range(rounds):
                # Each goes first in every other round: neither always follows a stop.
                order = ("without", "with") if round_number % 2 == 0 else ("with", "without")
                for kind in order:
                    timings[kind].append(_spawn_once(hubs[kind], users[kind]))
        finally:
            for hub in hubs.values():
                stop_hub(hub)
            run.cleanup()
    return timings["without"], timings["with"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300, help="timed evaluations per database")
    parser.add_argument("--rounds", type=int, default=8, help="timed spawns per hub")
    parser.add_argument("--skip-spawn", action="store_true", help="the evaluation only")
    args = parser.parse_args()

    print(f"{os.cpu_count()} CPUs; a user in {MEMBER_OF} of {GROUPS} groups with policies")
    print(
        "| hub database | core: the user's groups, median ms | policy, median ms "
        "| policy, p95 ms | policy, max ms |"
    )
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        backends = [("SQLite", f"sqlite:///{Path(folder) / 'hub.sqlite'}", None)]
        server = database.connect() if os.environ.get("STELLARS_TEST_POSTGRES_URL") else None
        if server is not None:
            backends.append(("PostgreSQL", server.create_database(), server))
        try:
            for name, db_url, _ in backends:
                core, platform = time_evaluation(db_url, args.calls)
                print(
                    f"| {name} | {statistics.median(core):.2f} | {statistics.median(platform):.2f}"
                    f" | {percentile(platform, 0.95):.2f} | {max(platform):.2f} |"
                )
        finally:
            if server is not None:
                server.drop_created()
    if args.skip_spawn:
        return
    without, with_policy = time_spawns(args.rounds)
    ratio = statistics.median(with_policy) / statistics.median(without)
    print(
        "\n| spawn | median s | min s | max s |\n| --- | --- | --- | --- |\n"
        f"| without the policy | {statistics.median(without):.2f} | {min(without):.2f} "
        f"| {max(without):.2f} |\n"
        f"| with the policy (50 of 1,000 groups) | {statistics.median(with_policy):.2f} "
        f"| {min(with_policy):.2f} | {max(with_policy):.2f} |\n\nratio of medians: {ratio:.3f}"
    )


if __name__ == "__main__":
    main()
