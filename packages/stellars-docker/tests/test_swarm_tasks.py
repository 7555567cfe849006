"""Reading a swarm service's tasks (stellars_docker.swarm.tasks), from the engine's own shapes.

The task objects are as ``GET /tasks`` returns them (Docker Engine API 1.41),
trimmed to the fields read.
"""

import pytest

from stellars_docker.swarm.tasks import current_task, task_address, task_node, task_status

CREATED = "2026-12-06T09:00:00Z"
ON_ITS_WAY = ["new", "pending", "assigned", "accepted", "preparing", "starting"]


def _task(
    index, state, *, err="", message="", node="", created="2026-12-06T09:00:00Z", networks=()
):
    task = {
        "ID": f"task-{index}",
        "Version": {"Index": index},
        "CreatedAt": created,
        "Status": {"State": state, "Message": message},
        "NodeID": node,
        "NetworksAttachments": [
            {"Network": {"Spec": {"Name": name}}, "Addresses": [address]}
            for name, address in networks
        ],
    }
    if err:
        task["Status"]["Err"] = err
    return task


def test_the_newest_task_is_current_after_a_restart_left_the_old_one_listed():
    old = _task(11, "shutdown", created="2026-12-06T09:00:00Z")
    new = _task(27, "running", created="2026-12-06T09:05:00Z")
    assert current_task([new, old]) is new
    assert current_task([old, new]) is new


def test_the_old_task_reported_shut_down_after_the_new_one_was_made_is_not_current():
    # Each change of a task raises its version: the old task's shutdown can be
    # recorded after the new task was created, with the higher version.
    # The engine writes nanoseconds without trailing zeros: not comparable as text.
    old = _task(31, "shutdown", created="2026-12-06T09:00:00.5Z")
    new = _task(29, "starting", created="2026-12-06T09:00:00.512345678Z")
    assert current_task([old, new]) is new
    assert current_task([new, old]) is new


def test_a_service_without_tasks_has_no_current_task():
    assert current_task([]) is None


def test_the_address_is_the_tasks_own_on_the_named_network_without_its_prefix_length():
    task = _task(
        3,
        "running",
        networks=[("ingress", "10.0.0.7/24"), ("stellars-labs", "10.0.1.12/24")],
    )
    assert task_address(task, "stellars-labs") == "10.0.1.12"
    assert task_address(task, "elsewhere") is None


def test_a_task_not_yet_on_a_network_has_no_address():
    assert task_address(_task(3, "pending"), "stellars-labs") is None
    assert task_address({"NetworksAttachments": None}, "stellars-labs") is None


@pytest.mark.parametrize("state", ["rejected", "failed", "shutdown", "complete", "orphaned"])
def test_a_task_in_a_final_state_will_never_run(state):
    status = task_status(_task(1, state, err="No such image: lab:missing"))
    assert status.final
    assert not status.running
    assert status.reason() == "No such image: lab:missing"


def test_a_pending_task_with_the_schedulers_reason_cannot_be_placed():
    reason = "no suitable node (scheduling constraints not satisfied on 3 nodes)"
    status = task_status(_task(1, "pending", err=reason, message="pending task scheduling"))
    assert status.unplaceable
    assert not status.final
    assert status.reason() == reason


@pytest.mark.parametrize(
    "state", ["new", "pending", "assigned", "accepted", "preparing", "starting"]
)
def test_a_task_on_its_way_is_neither_running_final_nor_unplaceable(state):
    status = task_status(_task(1, state, message="preparing"))
    assert not status.running
    assert not status.final
    assert not status.unplaceable


def test_the_reason_falls_back_on_the_message_then_the_state():
    assert task_status(_task(1, "failed", message="task: non-zero exit (1)")).reason() == (
        "task: non-zero exit (1)"
    )
    assert task_status(_task(1, "failed")).reason() == "failed"


def test_states_are_read_in_any_case():
    assert task_status(_task(1, "RUNNING")).running


def test_the_node_is_known_once_the_task_is_placed():
    assert task_node(_task(1, "assigned", node="n0d3")) == "n0d3"
    assert task_node(_task(1, "pending")) is None
