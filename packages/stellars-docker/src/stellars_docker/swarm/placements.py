"""Which swarm node holds each account's volumes: the node its servers are pinned to.

A local volume lives on one node. An account's first server lands where the
scheduler puts it; the node it ran on is recorded here, and every later
server of the account is constrained to that node, so that it finds its
files. One table in the hub's database, ``stellars_swarm_placements``, under
stellars-docker's migrations:

- keyed by the account's stable identity (user id and creation time, as
  volume ownership keys it), so that an account made later with a reused id
  or the same name is never sent to the old account's files;
- the node by its swarm id (what a placement constraint names) and its host
  name when pinned (what a person reads).

Every function takes the caller's session or connection and runs on the
hub's loop thread, like JupyterHub's own ORM access; none commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, MetaData, String, Table, delete, func, insert, select, update

from stellars_core import UTCDateTime
from stellars_docker.ownership_store import IDENTITY_LENGTH, NAME_LENGTH

if TYPE_CHECKING:
    from stellars_docker.ownership_store import Database

# Swarm node ids are 25 characters; room for an engine that makes them longer.
NODE_ID_LENGTH = 64

_METADATA = MetaData()

PLACEMENTS = Table(
    "stellars_swarm_placements",
    _METADATA,
    Column("account", String(IDENTITY_LENGTH), primary_key=True),
    Column("node_id", String(NODE_ID_LENGTH), nullable=False),
    Column("node_name", String(NAME_LENGTH), nullable=False),
    Column("pinned_at", UTCDateTime(), nullable=False),
)


@dataclass(frozen=True)
class Placement:
    """The node an account's volumes are on (``pinned_at`` aware UTC)."""

    account: str
    node_id: str
    node_name: str
    pinned_at: datetime

    def constraint(self) -> str:
        """The placement constraint that sends a server to this node."""
        return f"node.id=={self.node_id}"


def placement_of(db: Database, account: str) -> Placement | None:
    """Return where *account*'s volumes are, or None before its first server ran."""
    row = db.execute(select(PLACEMENTS).where(PLACEMENTS.c.account == account)).first()
    if row is None:
        return None
    return Placement(row.account, row.node_id, row.node_name, row.pinned_at)


def pin(db: Database, account: str, node_id: str, node_name: str) -> Placement:
    """Record that *account*'s volumes are on the node *node_id*; return the record.

    Replaces an earlier record: a user moved to another node is pinned anew.
    """
    placement = Placement(account, node_id, node_name, datetime.now(UTC))
    values = {"node_id": node_id, "node_name": node_name, "pinned_at": placement.pinned_at}
    if placement_of(db, account) is None:
        db.execute(insert(PLACEMENTS).values(account=account, **values))
    else:
        db.execute(update(PLACEMENTS).where(PLACEMENTS.c.account == account).values(values))
    return placement


def unpin(db: Database, account: str) -> None:
    """Forget where *account*'s volumes are (its volumes are gone)."""
    db.execute(delete(PLACEMENTS).where(PLACEMENTS.c.account == account))


def pinned_per_node(db: Database) -> dict[str, int]:
    """Return how many accounts are pinned to each node, by node id."""
    rows = db.execute(
        select(PLACEMENTS.c.node_id, func.count()).group_by(PLACEMENTS.c.node_id)
    ).all()
    return {str(row[0]): int(row[1]) for row in rows}
