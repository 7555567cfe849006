"""The test swarm itself: three ready nodes that run services with volumes and talk over an overlay.

What every other test of the layer stands on, checked without the platform,
so that a broken node setup fails here with its own message.
"""

from __future__ import annotations

import docker.types
import pytest

from stellars_testing import wait_until

PROBE_LABELS = {"org.stellars-hub.role": "swarm-probe"}
# The lab image has Python; its http.server is the smallest server to reach.
SERVE = ["python3", "-m", "http.server", "8080", "--directory", "/data"]


def test_a_manager_and_two_workers_are_ready(swarm):
    nodes = swarm.manager.client.nodes.list()
    roles = sorted(node.attrs["Spec"]["Role"] for node in nodes)
    assert roles == ["manager", "worker", "worker"]
    assert {node.attrs["Status"]["State"] for node in nodes} == {"ready"}


@pytest.fixture
def overlay(swarm):
    network = swarm.manager.client.networks.create(
        f"stellars-overlay-{swarm.run_id}", driver="overlay", attachable=True
    )
    yield network.name
    probes = {"label": "org.stellars-hub.role=swarm-probe"}
    for service in swarm.manager.client.services.list(filters=probes):
        service.remove()
    wait_until(
        lambda: (
            not any(
                node.client.containers.list(all=True, filters=probes, ignore_removed=True)
                for node in swarm.nodes
            )
        ),
        timeout_s=60,
        what="the probes' containers to go",
    )
    network.remove()


def test_a_service_on_each_worker_mounts_a_volume_and_answers_the_other_over_the_overlay(
    swarm, overlay, lab_image
):
    swarm.load_image(lab_image)
    manager = swarm.manager.client
    names = []
    for worker in swarm.workers:
        name = f"probe-{worker.name}"
        manager.services.create(
            lab_image,
            command=["sh", "-c", f"echo {worker.name} > /data/who && exec {' '.join(SERVE)}"],
            name=name,
            labels=PROBE_LABELS,
            container_labels=PROBE_LABELS,
            # A fresh volume belongs to root: the probe writes to it as root.
            user="root",
            networks=[overlay],
            mounts=[docker.types.Mount("/data", f"probe-data-{swarm.run_id}", type="volume")],
            constraints=[f"node.id=={worker.node_id()}"],
            endpoint_spec=docker.types.EndpointSpec(mode="dnsrr"),
            restart_policy=docker.types.RestartPolicy(condition="none"),
        )
        names.append(name)

    def statuses(name: str) -> list[dict]:
        return [task["Status"] for task in manager.api.tasks(filters={"service": name})]

    for name in names:
        wait_until(
            lambda name=name: [status["State"] for status in statuses(name)] == ["running"],
            timeout_s=120,
            what=f"{name} to run",
            explain=lambda name=name: str(statuses(name)),
        )
    # Each worker's container fetches the other's file by service name, over the overlay.
    for worker, other in zip(swarm.workers, reversed(swarm.workers), strict=True):
        (container,) = worker.client.containers.list(
            filters={"label": "org.stellars-hub.role=swarm-probe"}
        )
        fetch = f"import urllib.request as u; print(u.urlopen('http://probe-{other.name}:8080/who').read().decode())"
        result = wait_until(
            lambda container=container, fetch=fetch: _fetched(container, fetch),
            timeout_s=60,
            what=f"{worker.name} to reach probe-{other.name}",
        )
        assert result.strip() == other.name


def _fetched(container, code: str) -> str | None:
    exit_code, output = container.exec_run(["python3", "-c", code])
    return output.decode() if exit_code == 0 else None
