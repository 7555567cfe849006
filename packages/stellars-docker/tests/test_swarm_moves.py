"""Moving a user between swarm nodes: finding the node, and holding the user still meanwhile.

The copy itself runs between real agents on the test swarm
(``tests/swarm/test_moving_a_user.py``); here are the rules around it.
"""

from __future__ import annotations

import asyncio

import pytest

from stellars_docker.errors import MoveInProgressError, UnknownNodeError
from stellars_docker.swarm.moves import (
    FilesChoice,
    Move,
    Moves,
    MoveState,
    find_node,
    listed_nodes,
)


def _node(node_id, name, state="ready", availability="active", role="worker"):
    return {
        "ID": node_id,
        "Description": {"Hostname": name},
        "Status": {"State": state},
        "Spec": {"Availability": availability, "Role": role},
    }


NODES = [
    _node("id1", "manager", role="manager"),
    _node("id2", "worker-1", availability="drain"),
    _node("id3", "twin"),
    _node("id4", "twin", state="down"),
]


def test_a_node_is_found_by_id_or_by_its_one_host_name():
    assert find_node(NODES, "id2").name == "worker-1"
    found = find_node(NODES, "worker-1")
    assert (found.node_id, found.state, found.availability) == ("id2", "ready", "drain")
    assert find_node(NODES, "id4").state == "down"


def test_an_unknown_or_ambiguous_name_is_refused_saying_which_nodes_there_are():
    nodes = "manager, twin, twin, worker-1"
    with pytest.raises(UnknownNodeError, match=rf"no node 'worker-9'.*{nodes}"):
        find_node(NODES, "worker-9")
    with pytest.raises(UnknownNodeError, match="2 nodes are named 'twin'"):
        find_node(NODES, "twin")


def test_the_nodes_are_listed_by_name_and_only_ready_active_ones_take_servers():
    listed = listed_nodes(list(reversed(NODES)))
    assert [(n.name, n.node_id, n.role, n.takes_servers) for n in listed] == [
        ("manager", "id1", "manager", True),
        ("twin", "id3", "worker", True),
        ("twin", "id4", "worker", False),
        ("worker-1", "id2", "worker", False),
    ]


def _move(user="ada"):
    return Move(user, "node-a", "node-b", FilesChoice.COPY, [])


def test_a_user_being_moved_or_prepared_for_a_move_is_held_still_and_others_are_not():
    async def scenario():
        moves = Moves()
        released = asyncio.Event()
        with moves.preparing(7):
            with pytest.raises(MoveInProgressError, match="being prepared"):
                moves.refuse_while_moving(7)
            with pytest.raises(MoveInProgressError), moves.preparing(7):
                pass
            moves.refuse_while_moving(8)

        async def copying():
            await released.wait()
            move.finish(MoveState.DONE)

        move = _move()
        moves.begin(7, move, copying())
        with pytest.raises(MoveInProgressError, match="being moved to the node node-b"):
            moves.refuse_while_moving(7)
        with pytest.raises(MoveInProgressError):
            moves.begin(7, _move(), copying())
        released.set()
        await asyncio.sleep(0.01)
        moves.refuse_while_moving(7)
        assert moves.last(7) is move
        assert move.state == MoveState.DONE
        assert move.finished_at is not None
        assert moves.last(8) is None

    asyncio.run(scenario())


def test_stopping_cancels_the_moves_under_way():
    async def scenario():
        moves = Moves()
        cancelled = asyncio.Event()

        async def forever():
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancelled.set()
                raise

        moves.begin(7, _move(), forever())
        await asyncio.sleep(0)
        await moves.stop()
        assert cancelled.is_set()

    asyncio.run(scenario())
