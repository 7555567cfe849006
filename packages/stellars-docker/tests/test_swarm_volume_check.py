"""What the node agents' answers about a server's volume names allow, in a real hub database.

The agents themselves are exercised on a real engine
(``test_swarm_agent_on_engine.py``) and on the test swarm
(``tests/swarm/test_volume_ownership_on_a_swarm.py``); here they are a stub
that answers as told, so that each rule of the check is shown on its own.
"""

from __future__ import annotations

import asyncio

import pytest
from jupyterhub import orm

from stellars_docker.errors import VolumeOwnershipError
from stellars_docker.labels import OWNER_LABEL, OWNER_NAME_LABEL, VOLUME_SUFFIX_LABEL
from stellars_docker.ownership_store import account_of
from stellars_docker.schema import HISTORY
from stellars_docker.swarm.agent.client import FromNodes
from stellars_docker.swarm.agent.protocol import OWNED_PATH, ForeignVolume, OwnedAnswer
from stellars_docker.swarm.placements import pin
from stellars_docker.swarm.volume_check import check_volumes
from stellars_testing.schema import migrate

VOLUMES = [("home", "jupyterlab-ada_home"), ("cache", "jupyterlab-ada_cache")]


@pytest.fixture
def hub_db(db_url):
    session = orm.new_session_factory(db_url)()
    migrate(db_url, HISTORY)
    session.add_all([orm.User(name="ada"), orm.User(name="bob")])
    session.commit()
    yield session
    session.close()
    session.get_bind().dispose()


class Agents:
    """Answers ``/volumes/owned`` as told, and keeps what it was asked."""

    def __init__(self, answers: dict[str, list[ForeignVolume]], missing: dict[str, str]) -> None:
        self.answers = answers
        self.missing = missing
        self.asked: list[tuple[str, object]] = []

    async def ask(self, path, body, answer):
        self.asked.append((path, body))
        assert answer is OwnedAnswer
        return FromNodes(
            {
                node: OwnedAnswer(node=node, volumes=[], foreign=foreign)
                for node, foreign in self.answers.items()
            },
            dict(self.missing),
        )


def _user(db, name):
    return db.query(orm.User).filter_by(name=name).one()


def _check(db, agents):
    return asyncio.run(check_volumes(agents, db, _user(db, "ada").id, VOLUMES))


def test_a_first_server_avoids_nodes_with_anothers_volume_and_nodes_that_did_not_answer(hub_db):
    bob = account_of(hub_db, _user(hub_db, "bob").id)
    agents = Agents(
        {
            "node-a": [ForeignVolume(name="jupyterlab-ada_home", owner=bob.identity)],
            "node-b": [],
            "node-c": [
                ForeignVolume(name="jupyterlab-ada_cache", owner="3-x", owner_name="ada"),
            ],
        },
        {"node-d": "its agent did not answer within 5 s"},
    )

    check = _check(hub_db, agents)

    assert check.avoid == {
        "node-a": "it holds 'jupyterlab-ada_home', which belongs to the account 'bob'",
        "node-c": "it holds 'jupyterlab-ada_cache', which belongs to the deleted account 'ada'",
        "node-d": "its agent did not answer (its agent did not answer within 5 s)",
    }
    ada = account_of(hub_db, _user(hub_db, "ada").id)
    assert check.labels["jupyterlab-ada_home"][OWNER_LABEL] == ada.identity
    assert check.labels["jupyterlab-ada_home"][OWNER_NAME_LABEL] == "ada"
    assert check.labels["jupyterlab-ada_cache"][VOLUME_SUFFIX_LABEL] == "cache"
    ((path, body),) = agents.asked
    assert path == OWNED_PATH
    assert [(c.name, c.owner) for c in body.volumes] == [
        ("jupyterlab-ada_home", ada.identity),
        ("jupyterlab-ada_cache", ada.identity),
    ]


def test_a_pinned_server_is_refused_when_its_node_holds_anothers_volume(hub_db):
    ada = account_of(hub_db, _user(hub_db, "ada").id)
    pin(hub_db, ada.identity, "id-a", "node-a")
    foreign = ForeignVolume(name="jupyterlab-ada_home", owner="3-x", owner_name="ada")
    agents = Agents({"node-a": [foreign], "node-b": []}, {})

    with pytest.raises(VolumeOwnershipError) as refused:
        _check(hub_db, agents)

    message = refused.value.jupyterhub_message
    assert "On the swarm node node-a" in message
    assert "the deleted account 'ada'" in message


def test_a_pinned_server_is_refused_while_its_nodes_agent_cannot_say(hub_db):
    ada = account_of(hub_db, _user(hub_db, "ada").id)
    pin(hub_db, ada.identity, "id-a", "node-a")
    agents = Agents({"node-b": []}, {"node-a": "its agent answered 503"})

    with pytest.raises(VolumeOwnershipError, match="cannot be checked: its agent answered 503"):
        _check(hub_db, agents)


def test_a_pinned_server_ignores_other_nodes_and_avoids_nothing(hub_db):
    ada = account_of(hub_db, _user(hub_db, "ada").id)
    pin(hub_db, ada.identity, "id-b", "node-b")
    foreign = ForeignVolume(name="jupyterlab-ada_home", owner="3-x", owner_name="ada")
    agents = Agents({"node-a": [foreign], "node-b": []}, {"node-c": "down"})

    check = _check(hub_db, agents)

    assert check.avoid == {}
    assert set(check.labels) == {"jupyterlab-ada_home", "jupyterlab-ada_cache"}
