"""Container and volume names, exactly as DockerSpawner makes them.

DockerSpawner fills its name templates from ``template_namespace()``, with
``{username}`` escaped so that any username gives a valid, collision-free
Docker name. We call that same method (on a stand-in holding only what it
reads) instead of re-implementing the escaping, so our names cannot drift
from the ones DockerSpawner creates.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

from dockerspawner import DockerSpawner

if TYPE_CHECKING:
    from stellars_docker.volumes import UserVolume

DEFAULT_PREFIX = "jupyter"


def escape_username(username: str) -> str:
    """Return *username* escaped as DockerSpawner escapes it (``a.b`` -> ``a-2eb``)."""
    escaped: str = DockerSpawner._escape(username)  # noqa: SLF001 - DockerSpawner's default escape
    return escaped


def template_namespace(
    username: str, *, image: str = "", servername: str = "", prefix: str = DEFAULT_PREFIX
) -> dict[str, str]:
    """Return the values DockerSpawner substitutes into its templates for *username*."""
    stand_in = SimpleNamespace(
        escaped_name=escape_username(username),
        user=SimpleNamespace(name=username),
        image=image,
        name=servername,
        prefix=prefix,
        escape=DockerSpawner._escape,  # noqa: SLF001
    )
    namespace: dict[str, str] = DockerSpawner.template_namespace(stand_in)
    return namespace


def container_name(name_template: str, username: str, *, image: str = "") -> str:
    """Return the name of *username*'s default-server container."""
    return name_template.format(**template_namespace(username, image=image))


def volume_name(volume: UserVolume, username: str) -> str:
    """Return the name on disk of *username*'s *volume*."""
    return volume.name_template.format(**template_namespace(username))
