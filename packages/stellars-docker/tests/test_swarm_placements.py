"""Where each account's volumes are on a swarm, in a real hub database (SQLite and PostgreSQL)."""

from datetime import UTC, datetime

import pytest
from jupyterhub import orm

from stellars_docker.schema import HISTORY
from stellars_docker.swarm.placements import pin, pinned_per_node, placement_of, unpin
from stellars_testing.schema import migrate


@pytest.fixture
def hub_db(db_url):
    session = orm.new_session_factory(db_url)()
    migrate(db_url, HISTORY)
    yield session
    session.close()
    session.get_bind().dispose()


def test_an_account_without_a_server_yet_is_pinned_nowhere(hub_db):
    assert placement_of(hub_db, "7-2026-12-06T09:00:00") is None


def test_a_pin_is_kept_with_the_nodes_id_and_name_and_becomes_a_constraint(hub_db):
    before = datetime.now(UTC)
    pin(hub_db, "7-2026-12-06T09:00:00", "n0de1d", "node-1")
    hub_db.commit()
    placement = placement_of(hub_db, "7-2026-12-06T09:00:00")
    assert (placement.node_id, placement.node_name) == ("n0de1d", "node-1")
    assert placement.pinned_at >= before
    assert placement.pinned_at.tzinfo is not None
    assert placement.constraint() == "node.id==n0de1d"


def test_pinning_again_moves_the_account_and_touches_no_other(hub_db):
    pin(hub_db, "7-a", "n1", "node-1")
    pin(hub_db, "8-b", "n1", "node-1")
    pin(hub_db, "7-a", "n2", "node-2")
    hub_db.commit()
    assert placement_of(hub_db, "7-a").node_id == "n2"
    assert placement_of(hub_db, "8-b").node_id == "n1"


def test_an_unpinned_account_is_pinned_nowhere_and_the_others_stay(hub_db):
    pin(hub_db, "7-a", "n1", "node-1")
    pin(hub_db, "8-b", "n1", "node-1")
    unpin(hub_db, "7-a")
    hub_db.commit()
    assert placement_of(hub_db, "7-a") is None
    assert placement_of(hub_db, "8-b") is not None


def test_the_accounts_pinned_to_each_node_are_counted(hub_db):
    assert pinned_per_node(hub_db) == {}
    pin(hub_db, "7-a", "n1", "node-1")
    pin(hub_db, "8-b", "n1", "node-1")
    pin(hub_db, "9-c", "n2", "node-2")
    pin(hub_db, "9-c", "n1", "node-1")
    assert pinned_per_node(hub_db) == {"n1": 3}
