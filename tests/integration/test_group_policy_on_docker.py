"""Group policies applied at spawn, on the real engine: what the container the engine runs gets.

One hub for the module; each test has users and groups of its own, and the
policies are written to the hub's database as the policy API writes them
(``group_policies.store_policy``). What counts is the container: its
limits as the engine applies them, its image, its environment, and what
the kernel does to a process inside it.
"""

import time

import pytest
import requests
from accounts import signed_up, user_token
from group_policies import group_with_members, store_policy
from lab_containers import lab_containers, run_username
from playwright.sync_api import expect

from stellars_docker import compute_stats
from stellars_docker.naming import container_name
from stellars_testing import wait_until
from stellars_testing.browser import visit

MIB = 1024**2


@pytest.fixture(scope="module")
def privileged_member(docker_run):
    return run_username(docker_run, "priv")


@pytest.fixture(scope="module")
def hub(module_docker_platform, privileged_member):
    # The operator's grant: listed in load_groups, as test_docker_grants_on_docker does it.
    grant = (
        f'c.JupyterHub.load_groups["docker-privileged"] = {{"users": [{privileged_member!r}]}}\n'
    )
    return module_docker_platform(extra_config=grant)


def _container(docker_run, username):
    return docker_run.client.containers.get(container_name("jupyterlab-{username}", username))


def _start(hub, username, **body):
    response = hub.api("POST", f"users/{username}/server", json=body or None)
    assert response.status_code in {201, 202}, response.text
    hub.wait_for_server(username, running=True)
    return response


def _stop(hub, docker_run, username):
    hub.api("DELETE", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=False)
    wait_until(
        lambda: not lab_containers(docker_run, username),
        timeout_s=60,
        what=f"{username}'s lab container removed",
    )


def _environment(container):
    return dict(entry.split("=", 1) for entry in container.attrs["Config"]["Env"])


@pytest.fixture(scope="module")
def merged_user(hub, docker_run):
    """A user in two groups that disagree, with a running server: the merge's container.

    ``course`` (priority 0): 128 MiB, half a core, COLOR=blue, COURSE=intro.
    ``lab`` (priority 10): 256 MiB, COLOR=red. Merged: the larger memory
    (256 MiB, from lab), the only CPU limit (0.5, from course), COLOR from
    the higher-priority lab, COURSE from course.
    """
    username = run_username(docker_run, "merged")
    hub.create_user(username)
    course, lab = f"course-{docker_run.run_id}", f"lab-{docker_run.run_id}"
    store_policy(
        hub.db_url,
        course,
        mem_limit="128M",
        cpu_limit=0.5,
        environment=[{"name": "COLOR", "value": "blue"}, {"name": "COURSE", "value": "intro"}],
    )
    store_policy(
        hub.db_url,
        lab,
        priority=10,
        mem_limit="256M",
        environment=[{"name": "COLOR", "value": "red"}],
    )
    group_with_members(hub, course, username)
    group_with_members(hub, lab, username)
    _start(hub, username)
    return username


def test_several_groups_merge_on_the_started_container(hub, docker_run, merged_user):
    container = _container(docker_run, merged_user)
    host = container.attrs["HostConfig"]
    assert host["Memory"] == 256 * MIB  # the more generous of 128M and 256M
    assert host["CpuPeriod"] == 100_000
    assert host["CpuQuota"] == 50_000  # half a core
    environment = _environment(container)
    assert environment["COLOR"] == "red"  # lab ranks first (priority 10)
    assert environment["COURSE"] == "intro"  # only course sets it


# cgroup v1 (this engine) counts OOM kills in memory.oom_control, v2 in memory.events.
OOM_COUNTERS = (
    "cat /sys/fs/cgroup/memory.events 2>/dev/null || cat /sys/fs/cgroup/memory/memory.oom_control"
)


def _oom_kills(container):
    result = container.exec_run(["sh", "-c", OOM_COUNTERS])
    assert result.exit_code == 0, result.output
    for line in result.output.decode().splitlines():
        name, _, value = line.partition(" ")
        if name == "oom_kill":
            return int(value)
    raise AssertionError(f"no oom_kill counter in {result.output!r}")


def test_a_process_past_the_memory_limit_is_killed_and_the_server_survives(
    hub, docker_run, merged_user
):
    container = _container(docker_run, merged_user)
    kills_before = _oom_kills(container)
    # 1 GiB written (not just reserved) in a 256 MiB container; the host has no swap to hide in.
    result = container.exec_run(["python3", "-c", "data = b'x' * (1024 * 1024**2)"])
    assert result.exit_code == 137, result.output  # SIGKILL
    assert _oom_kills(container) == kills_before + 1  # by the kernel's OOM killer
    container.reload()
    assert container.status == "running"
    # The server answers through the proxy, and the hub still counts it as ready.
    token = user_token(hub, merged_user)
    status = hub.api("GET", f"users/{merged_user}").json()["servers"][""]
    assert status["ready"] is True
    response = requests.get(
        hub.user_url(merged_user, "api/status"),
        headers={"Authorization": f"token {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text


def test_busy_loops_are_held_to_a_half_core(docker_run, merged_user):
    container = _container(docker_run, merged_user)
    # Two loops, so that the container wants more than its quota even when
    # the machine is busy and it gets only part of what it asks. They end by
    # themselves, and are ended once measured (timeout signals its process
    # group): loops left running would slow the other tests on two cores.
    loops = "import os; os.fork(); exec('while True: pass')"
    loop = f'echo $$ > /tmp/busy-loop.pid; exec timeout 20 python3 -c "{loops}"'
    container.exec_run(["sh", "-c", loop], detach=True)
    time.sleep(1)
    samples: list[float] = []
    throttled = 0
    deadline = time.monotonic() + 15
    try:
        while time.monotonic() < deadline and not (throttled and len(samples) >= 4):
            raw = docker_run.client.api.stats(container.id, stream=False)
            samples.append(compute_stats(container.name, raw).cpu_percent)
            throttled = raw["cpu_stats"]["throttling_data"]["throttled_periods"]
    finally:
        container.exec_run(["sh", "-c", "kill $(cat /tmp/busy-loop.pid)"])
    # The quota is 50% of a core (CFS: 50 ms per 100 ms). The kernel holding
    # the loops back at it is what proves the limit: without one, nothing is
    # ever throttled. How much they get below the quota depends on what else
    # the machine runs (a busy CI machine once gave one loop 12% a second),
    # so only the ceiling is measured: a second's sample catches a period
    # boundary or two, a few points over 50; without the limit, up to 200.
    assert throttled > 0, samples
    assert max(samples) <= 65.0, samples


@pytest.fixture(scope="module")
def tagged_image(docker_run, lab_image):
    """A second image on the engine: the lab image under a tag of this run's (no registry)."""
    repository = f"stellars-test-profile-{docker_run.run_id}"
    docker_run.client.images.get(lab_image).tag(repository, "v1")
    yield f"{repository}:v1"
    docker_run.client.images.remove(f"{repository}:v1")  # the tag only: the image stays


@pytest.fixture(scope="module")
def profile_user(hub, docker_run, lab_image, tagged_image):
    username = run_username(docker_run, "prof")
    hub.create_user(username)
    group = f"profiles-{docker_run.run_id}"
    store_policy(
        hub.db_url,
        group,
        profiles=[
            {"name": "standard", "display_name": "Standard", "image": lab_image},
            {"name": "tagged", "display_name": "Tagged", "image": tagged_image},
        ],
        default_profile="standard",
    )
    group_with_members(hub, group, username)
    return username


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"image": "evil"}, "image"),
        ({"volumes": {"/": {"bind": "/host", "mode": "rw"}}}, "volumes"),
        ({"profile": "not-allowed"}, "'not-allowed'"),
    ],
    ids=["image", "volumes", "profile"],
)
def test_a_start_outside_the_allowed_profiles_is_refused(
    hub, docker_run, profile_user, body, named
):
    response = hub.api("POST", f"users/{profile_user}/server", json=body)
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert named in message
    assert "standard, tagged" in message  # what is allowed
    assert not lab_containers(docker_run, profile_user)
    assert hub.api("GET", f"users/{profile_user}").json()["servers"] == {}


def test_the_chosen_profile_starts_its_image(hub, docker_run, profile_user, tagged_image):
    _start(hub, profile_user, profile="tagged")
    assert _container(docker_run, profile_user).attrs["Config"]["Image"] == tagged_image
    _stop(hub, docker_run, profile_user)


def test_a_profile_chosen_in_the_browser_starts_its_image(
    hub, docker_run, profile_user, tagged_image, logged_in_page, admin_name, admin_password
):
    # A person on the spawn page, not a REST body: the form JupyterHub renders
    # from the policy, the radio they pick, the container the engine runs.
    username = run_username(docker_run, "pick")
    password = "profile-picker-passphrase"
    signed_up(hub, username, password, admin_name, admin_password)
    # The group profile_user is in: Standard (the default) and Tagged.
    group_with_members(hub, f"profiles-{docker_run.run_id}", username)
    page = logged_in_page(hub, username, password)
    # Containers start and go beside this test: see stellars_testing.browser.navigate.
    visit(page, hub.hub_url("spawn"))
    choice = page.get_by_role("group", name="Server profile")
    expect(choice.get_by_role("radio", name="Standard")).to_be_checked()
    choice.get_by_role("radio", name="Tagged").check()
    page.click("#spawn_form button[type=submit]")
    hub.wait_for_server(username, running=True)
    assert _container(docker_run, username).attrs["Config"]["Image"] == tagged_image
    assert hub.user_model(username)["servers"][""]["user_options"] == {"profile": "tagged"}
    _stop(hub, docker_run, username)


def test_a_policy_change_applies_at_the_next_start(hub, docker_run):
    username = run_username(docker_run, "change")
    hub.create_user(username)
    group = f"change-{docker_run.run_id}"
    store_policy(hub.db_url, group, mem_limit="200M")
    group_with_members(hub, group, username)
    _start(hub, username)
    assert _container(docker_run, username).attrs["HostConfig"]["Memory"] == 200 * MIB

    store_policy(hub.db_url, group, mem_limit="300M")
    # The running container keeps what it started with ...
    assert _container(docker_run, username).attrs["HostConfig"]["Memory"] == 200 * MIB
    _stop(hub, docker_run, username)
    _start(hub, username)
    # ... and the next start reads the policy afresh.
    assert _container(docker_run, username).attrs["HostConfig"]["Memory"] == 300 * MIB
    _stop(hub, docker_run, username)


def test_the_docker_privileged_group_starts_a_privileged_lab(hub, docker_run, privileged_member):
    # The built-in group is a policy with docker_access "privileged"; the
    # operator's load_groups listing is a full admin's grant.
    hub.api("POST", f"users/{privileged_member}/server").raise_for_status()
    hub.wait_for_server(privileged_member, running=True)
    container = _container(docker_run, privileged_member)
    assert container.attrs["HostConfig"]["Privileged"] is True
    assert container.status == "running"
    _stop(hub, docker_run, privileged_member)
