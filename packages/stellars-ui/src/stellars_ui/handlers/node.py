"""The swarm's nodes, the node a user's files are on, and moving them to another.

``/hub/api/stellars/swarm-nodes`` and ``/hub/api/users/{name}/node``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

from stellars_docker.errors import ServerStateError
from stellars_docker.swarm.moves import FilesChoice
from stellars_ui.handlers.base import StellarsAPIHandler
from stellars_ui.models.volumes import (
    MoveProgress,
    NodeMove,
    SwarmNode,
    SwarmNodes,
    UserNode,
    VolumeCopyProgress,
)

if TYPE_CHECKING:
    from stellars_docker.swarm.moves import Move


def move_progress(move: Move | None) -> MoveProgress | None:
    """Return *move* as the API shows it."""
    if move is None:
        return None
    return MoveProgress(
        source=move.source,
        target=move.target,
        files=move.files.value,
        state=move.state.value,
        volumes=[
            VolumeCopyProgress(
                name=copy.name,
                size_bytes=copy.size_bytes,
                copied_bytes=copy.copied_bytes,
                done=copy.done,
            )
            for copy in move.volumes
        ],
        started_at=move.started_at.isoformat(),
        finished_at=None if move.finished_at is None else move.finished_at.isoformat(),
        error=move.error,
        note=move.note,
    )


class UserNodeHandler(StellarsAPIHandler):
    """GET: the user's node and move; POST: move the (stopped) user to another node."""

    async def get(self, user_name: str) -> None:
        """Answer :class:`UserNode`; 409 on one engine, where there are no nodes."""
        self.require_user_scope("read:servers", user_name)
        user = self.target_user(user_name)
        runtime = self.docker_runtime
        node = await runtime.user_node(self.db, user.id)
        self.answer(UserNode(node=node, move=move_progress(runtime.moves.last(user.id))))

    async def post(self, user_name: str) -> None:
        """Begin the move and answer 202 with :class:`UserNode` (its state ``copying``).

        409 while the user's server runs or starts, while they are being moved,
        when the node cannot take them or the files cannot be copied; 400 for
        a node the swarm does not have.
        """
        self.require_user_scope("admin:servers", user_name)
        user = self.target_user(user_name)
        request = self.body(NodeMove)
        runtime = self.docker_runtime
        if any(spawner.active for spawner in user.spawners.values()):
            raise ServerStateError(f"{user.name}'s server is running: stop it before moving them")
        move = await runtime.move_user(
            self.db, user.id, user.name, request.node, FilesChoice(request.files)
        )
        self.set_status(HTTPStatus.ACCEPTED)
        self.answer(UserNode(node=move.source, move=move_progress(move)))


class SwarmNodesHandler(StellarsAPIHandler):
    """GET: every node of the swarm, for an admin choosing where to move a user."""

    async def get(self) -> None:
        """Answer :class:`SwarmNodes`; 409 on one engine, where there are no nodes."""
        # Unfiltered: the nodes are the whole platform's, not one user's.
        self.require_scope("admin:servers")
        listing = await self.docker_runtime.swarm_nodes(self.db)
        self.answer(
            SwarmNodes(
                nodes=[
                    SwarmNode(
                        name=node.name,
                        id=node.node_id,
                        role=node.role,
                        state=node.state,
                        availability=node.availability,
                        takes_servers=node.takes_servers,
                        users=listing.pinned.get(node.node_id, 0),
                    )
                    for node in listing.nodes
                ],
                moves_files=listing.moves_files,
            )
        )
