"""``GET /hub/api/stellars/docker-grants``: who holds Docker access, who granted it, and when."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stellars_docker import WHAT_EACH_GROUP_GIVES, grants_by_group
from stellars_ui.handlers.base import StellarsAPIHandler, isoformat_utc
from stellars_ui.models.platform import DockerGrant, DockerGrantGroup, DockerGrants
from stellars_ui.scopes import READ_DOCKER_GRANTS

if TYPE_CHECKING:
    from stellars_docker import GrantRecord


class DockerGrantsHandler(StellarsAPIHandler):
    """List each Docker-access group's members with who granted the membership and when.

    Read-only. The records live in the hub's database; the ORM is read on
    the loop thread, as JupyterHub's own handlers do.
    """

    def get(self) -> None:
        """Answer ``{"groups": [{name, gives, members: [...]}]}``, groups in a fixed order."""
        self.require_scope(READ_DOCKER_GRANTS)
        self.answer(
            DockerGrants(
                groups=[
                    # From a mapping: the domain names groups with text, the model a literal.
                    DockerGrantGroup.model_validate(
                        {
                            "name": name,
                            "gives": WHAT_EACH_GROUP_GIVES[name],
                            "members": [_member(record) for record in records],
                        }
                    )
                    for name, records in grants_by_group(self.db).items()
                ]
            )
        )


def _member(record: GrantRecord) -> DockerGrant:
    return DockerGrant(
        username=record.username,
        granted_by=record.granted_by,
        granted_by_full_admin=record.by_full_admin,
        granted_at=isoformat_utc(record.granted_at),
        counts_at_spawn=record.counts_at_spawn,
        ignored_because=record.ignored_because,
        fix=record.fix,
    )
