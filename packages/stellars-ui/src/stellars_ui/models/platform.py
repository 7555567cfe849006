"""Bodies of the platform's own endpoints: info, Docker grants, health."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from stellars_ui.models.common import Contract, NullableTimestamp

NonNegative = Annotated[float, Field(ge=0)]


class Info(Contract):
    """The platform and the versions it runs."""

    model_config = ConfigDict(
        **Contract.model_config,
        json_schema_extra={
            "examples": [
                {
                    "platform": "Stellars Hub",
                    "jupyterhub": "5.5.1",
                    "packages": {"stellars-hub": "0.1.0", "stellars-auth": None},
                }
            ]
        },
    )

    platform: str = Field(description="the platform's name")
    jupyterhub: str = Field(description="JupyterHub's version")
    packages: dict[str, str | None] = Field(
        description="each platform distribution's version, null when not installed"
    )


class DockerGrant(Contract):
    """One membership of a Docker-access group and the record of its grant."""

    username: str
    granted_by: str | None = Field(
        description="who granted it: a username, service:<name>, the configuration, or an "
        "unknown principal; null when there is no record at all"
    )
    granted_by_full_admin: bool = Field(description="the granter was a full admin")
    granted_at: NullableTimestamp
    counts_at_spawn: bool = Field(description="a spawn honours the membership")
    ignored_because: str | None = Field(description="why a spawn ignores it; null when it counts")
    fix: str | None = Field(description="what makes it count; null when it counts")


class DockerGrantGroup(Contract):
    """A Docker-access group, also one without members."""

    name: Literal["docker-sock", "docker-privileged"]
    gives: str = Field(description="what membership gives a lab container")
    members: list[DockerGrant]


class DockerGrants(Contract):
    """Every Docker-access group with its members, in a fixed order."""

    model_config = ConfigDict(
        **Contract.model_config,
        json_schema_extra={
            "examples": [
                {
                    "groups": [
                        {
                            "name": "docker-privileged",
                            "gives": "a privileged lab container (root on the host)",
                            "members": [
                                {
                                    "username": "bo",
                                    "granted_by": "keeper",
                                    "granted_by_full_admin": False,
                                    "granted_at": "2026-11-26T07:05:00+00:00",
                                    "counts_at_spawn": False,
                                    "ignored_because": "granted by keeper, who is not a full admin",
                                    "fix": "A full admin re-grants it.",
                                }
                            ],
                        }
                    ]
                }
            ]
        },
    )

    groups: list[DockerGrantGroup]


class HealthCheck(Contract):
    """One part's check."""

    ok: bool
    elapsed_ms: NonNegative
    error: str | None = Field(description="why not, when not ok")


class Health(Contract):
    """Whether each part answers, and how old the checks are."""

    healthy: bool = Field(description="every check is ok")
    checks: dict[str, HealthCheck] = Field(
        description="each part checked: database, proxy and, with Docker, docker"
    )
    age_seconds: NonNegative = Field(description="how old these checks are")
