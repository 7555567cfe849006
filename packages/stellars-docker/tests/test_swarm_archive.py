"""The archive on a swarm with local volumes, from the node agents' answers, in a real hub database.

The agents are a stub that answers as told and keeps what it was asked;
they run on a real engine in ``test_swarm_agent_on_engine.py`` and the
whole archive runs on the test swarm in
``tests/swarm/test_volume_ownership_on_a_swarm.py``.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from jupyterhub import orm

from stellars_docker.errors import ArchiveError, NotArchivedError
from stellars_docker.naming import volume_name
from stellars_docker.ownership_store import ASSIGNED, account_of, owner_record, record_owner
from stellars_docker.swarm.agent.client import FromNodes, claims_for
from stellars_docker.swarm.agent.protocol import (
    REMOVE_PATH,
    USER_VOLUMES_PATH,
    NodeUserVolume,
    Removal,
    RemoveAnswer,
    UserVolumesAnswer,
)
from stellars_docker.swarm.agent.work import claim_holds
from stellars_docker.swarm.archive import (
    archived_on_nodes,
    assign_archived_volume,
    purge_archived_volume,
)
from stellars_docker.swarm.placements import pin, placement_of
from stellars_docker.volumes import DEFAULT_USER_VOLUMES, NO_SUCH_VOLUME

HOME = "jupyterlab-ada_home"
NODES = [
    {"ID": f"id-{name}", "Description": {"Hostname": name}, "Status": {"State": "ready"}}
    for name in ("manager", "worker-1", "worker-2")
]


class Agents:
    """Answers as told: each node's user volumes, and the removals they make."""

    def __init__(self, volumes: dict[str, list[NodeUserVolume]]) -> None:
        self.volumes = volumes
        self.asked: list[tuple[str, object, object]] = []
        self.settings = SimpleNamespace(timeout_s=5.0)

    async def nodes(self):
        return NODES

    async def ask_some(self, path, body, answer, timeout_s=None, nodes=None):
        self.asked.append((path, body, nodes))
        asked = [node for node in self.volumes if nodes is None or node in nodes]
        if path == USER_VOLUMES_PATH:
            return FromNodes(
                {node: UserVolumesAnswer(node=node, volumes=self.volumes[node]) for node in asked},
                {},
            )
        assert path == REMOVE_PATH
        answers = {}
        for node in asked:
            here = {volume.name: volume for volume in self.volumes[node]}
            removals = []
            for claim in body.volumes:
                volume = here.get(claim.name)
                labels = {} if volume is None else {"org.stellars-hub.owner": volume.owner}
                if volume is not None and claim_holds(claim, labels):
                    self.volumes[node].remove(volume)
                    removals.append(Removal(name=claim.name, removed=True))
                else:
                    removals.append(Removal(name=claim.name, removed=False, error=NO_SUCH_VOLUME))
            answers[node] = RemoveAnswer(node=node, volumes=removals)
        return FromNodes(answers, {})


def _user(db, name):
    user = orm.User(name=name)
    db.add(user)
    db.commit()
    return user


@pytest.fixture
def deleted_ada(hub_db):
    """The account ada, deleted: the identity its volumes' labels name."""
    user = _user(hub_db, "ada")
    account = account_of(hub_db, user.id)
    hub_db.delete(user)
    hub_db.commit()
    return account


def _volume(name, owner, owner_name="ada", suffix="home"):
    return NodeUserVolume(name=name, owner=owner, owner_name=owner_name, suffix=suffix)


def test_each_nodes_volumes_are_judged_on_their_own_labels(hub_db, deleted_ada):
    new_ada = account_of(hub_db, _user(hub_db, "ada").id)
    answers = {
        # The deleted ada's files on one worker; a leftover copy on the other;
        # the new ada's own volume of the same name on the manager.
        "worker-1": UserVolumesAnswer(
            node="worker-1", volumes=[_volume(HOME, deleted_ada.identity)]
        ),
        "worker-2": UserVolumesAnswer(
            node="worker-2",
            volumes=[
                _volume(HOME, deleted_ada.identity),
                _volume("jupyterlab-ada_cache", deleted_ada.identity, suffix="cache"),
            ],
        ),
        "manager": UserVolumesAnswer(node="manager", volumes=[_volume(HOME, new_ada.identity)]),
    }
    archived = archived_on_nodes(hub_db, answers, {HOME: 1024})
    assert [(v.name, v.nodes, v.owner, v.suffix) for v in archived] == [
        ("jupyterlab-ada_cache", ("worker-2",), deleted_ada.identity, "cache"),
        (HOME, ("worker-1", "worker-2"), deleted_ada.identity, "home"),
    ]
    assert archived[1].size_bytes == 1024
    assert archived[1].deleted_at is not None


def test_a_purge_removes_the_volume_only_on_the_nodes_it_is_archived_on(hub_db, deleted_ada):
    new_ada = account_of(hub_db, _user(hub_db, "ada").id)
    agents = Agents(
        {
            "worker-1": [_volume(HOME, deleted_ada.identity)],
            "manager": [_volume(HOME, new_ada.identity)],
        }
    )
    asyncio.run(purge_archived_volume(agents, hub_db, HOME))
    path, request, nodes = agents.asked[-1]
    assert (path, nodes) == (REMOVE_PATH, ("worker-1",))
    (claim,) = request.volumes
    assert (claim.name, claim.owner, claim.assigned) == (HOME, deleted_ada.identity, False)
    assert agents.volumes == {"worker-1": [], "manager": [_volume(HOME, new_ada.identity)]}
    with pytest.raises(NotArchivedError):
        asyncio.run(purge_archived_volume(agents, hub_db, HOME))


def test_an_assignment_pins_an_account_without_a_node_to_the_volumes_node(hub_db, deleted_ada):
    new_ada = _user(hub_db, "ada")
    agents = Agents({"worker-2": [_volume(HOME, deleted_ada.identity)], "manager": []})
    account = asyncio.run(
        assign_archived_volume(agents, hub_db, HOME, new_ada.id, user_volumes=DEFAULT_USER_VOLUMES)
    )
    assert account == account_of(hub_db, new_ada.id)
    assert owner_record(hub_db, HOME).reason == ASSIGNED
    placement = placement_of(hub_db, account.identity)
    assert (placement.node_id, placement.node_name) == ("id-worker-2", "worker-2")
    # No longer archived: it is the new ada's.
    with pytest.raises(NotArchivedError):
        asyncio.run(purge_archived_volume(agents, hub_db, HOME))


def test_an_assignment_leaves_an_account_pinned_elsewhere_where_it_is(hub_db, deleted_ada):
    new_ada = _user(hub_db, "ada")
    account = account_of(hub_db, new_ada.id)
    pin(hub_db, account.identity, "id-manager", "manager")
    agents = Agents({"worker-2": [_volume(HOME, deleted_ada.identity)]})
    asyncio.run(
        assign_archived_volume(agents, hub_db, HOME, new_ada.id, user_volumes=DEFAULT_USER_VOLUMES)
    )
    assert placement_of(hub_db, account.identity).node_name == "manager"


def test_an_assignment_to_an_account_of_another_name_changes_nothing(hub_db, deleted_ada):
    bob = _user(hub_db, "bob")
    agents = Agents({"worker-2": [_volume(HOME, deleted_ada.identity)]})
    with pytest.raises(ArchiveError, match="volumes are mounted by name"):
        asyncio.run(
            assign_archived_volume(agents, hub_db, HOME, bob.id, user_volumes=DEFAULT_USER_VOLUMES)
        )
    assert owner_record(hub_db, HOME) is None
    assert placement_of(hub_db, account_of(hub_db, bob.id).identity) is None


def test_a_volume_assigned_to_the_account_is_its_whatever_its_label_says(hub_db, deleted_ada):
    new_ada = account_of(hub_db, _user(hub_db, "ada").id)
    name = volume_name(DEFAULT_USER_VOLUMES[0], "ada")
    (before,) = claims_for(hub_db, new_ada, [name])
    record_owner(hub_db, name, new_ada, ASSIGNED)
    (after,) = claims_for(hub_db, new_ada, [name])
    labels = {"org.stellars-hub.owner": deleted_ada.identity}
    assert (before.assigned, claim_holds(before, labels)) == (False, False)
    assert (after.assigned, claim_holds(after, labels)) == (True, True)
    # The deleted account's own claim no longer names it as assigned to it.
    (old,) = claims_for(hub_db, deleted_ada, [name])
    assert old.assigned is False
