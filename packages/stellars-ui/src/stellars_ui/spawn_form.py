"""The spawn page's choice of server profile (JupyterHub's ``options_form``).

With more than one profile on offer, :func:`profile_form` renders a radio
choice; with one or none it renders nothing, and JupyterHub then starts the
server without asking. :func:`options_from_form` keeps the one field the
form has: whatever else a request carries never reaches the spawner, and
the pre-spawn hook still checks the profile named against the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from stellars_docker.policy import PROFILE_OPTION, gpu_grant, user_policy
from stellars_ui.templating import TEMPLATE_DIR

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from stellars_docker.policy import EffectivePolicy, GpuGrant, PolicySettings, Profile

FORM_TEMPLATE = "stellars/profile_form.html"
# With fewer profiles there is nothing to choose: the start goes straight on.
MIN_CHOICES = 2


@dataclass(frozen=True)
class ProfileChoice:
    """One profile as the form shows it: what a server started with it gets."""

    name: str
    display_name: str
    description: str
    image: str
    cpu: str
    memory: str
    gpus: str
    checked: bool


@cache
def _environment() -> Environment:
    # Autoescape on: display names and descriptions are an admin's text, and
    # the page shows them to every member of the group.
    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _size(value: float) -> str:
    for unit, size in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2)):
        if value >= size:
            return f"{value / size:g} {unit}"
    return f"{int(value)} bytes"


def _gpus(grant: GpuGrant) -> str:
    if grant.all:
        return "all GPUs"
    if grant.devices:
        return "GPU " + ", ".join(grant.devices)
    if grant.count:
        return f"{grant.count} GPU{'s' if grant.count > 1 else ''}"
    return "no GPU"


def _choice(policy: EffectivePolicy, profile: Profile, *, gpus_available: bool) -> ProfileChoice:
    # A profile's own resources replace the policy's (plan_spawn's rule), so
    # the form shows what the server will really get.
    cpu = profile.cpu_limit if profile.cpu_limit is not None else policy.values.get("cpu_limit")
    memory = profile.mem_limit if profile.mem_limit is not None else policy.values.get("mem_limit")
    gpus = gpu_grant(profile.gpus) if profile.gpus is not None else policy.gpus
    return ProfileChoice(
        name=profile.name,
        display_name=profile.display_name,
        description=profile.description,
        image=profile.image,
        cpu=f"{cpu:g} CPU{'s' if cpu != 1 else ''}" if cpu is not None else "no CPU limit",
        memory=f"{_size(memory)} memory" if memory is not None else "no memory limit",
        # Without GPUs on the engine no policy grants any (plan_spawn's rule).
        gpus=_gpus(gpus) if gpus_available else "no GPU",
        checked=profile.name == policy.default_profile,
    )


def profile_form(policy: EffectivePolicy, *, gpus_available: bool = False) -> str:
    """Return the spawn form's HTML for *policy*: "" when it offers fewer than two profiles.

    The default profile is preselected (the first one when the policy names
    none). *gpus_available* says whether the engine has GPUs to give.
    """
    if len(policy.profiles) < MIN_CHOICES:
        return ""
    choices = [
        _choice(policy, offered.profile, gpus_available=gpus_available)
        for offered in policy.profiles
    ]
    if not any(choice.checked for choice in choices):
        choices[0] = ProfileChoice(**{**choices[0].__dict__, "checked": True})
    return _environment().get_template(FORM_TEMPLATE).render(field=PROFILE_OPTION, choices=choices)


def make_options_form(
    settings: PolicySettings, *, gpus_available: bool = False
) -> Callable[[Any], str]:
    """Return a ``c.Spawner.options_form`` callable: each user's choice, read fresh.

    The policy is read from the database each time the spawn page opens, so
    a profile an admin added a moment ago is on offer.
    """

    def options_form(spawner: Any) -> str:
        user = spawner.user
        policy = user_policy(user.db, user, settings)
        return profile_form(policy, gpus_available=gpus_available)

    return options_form


def options_from_form(form: Mapping[str, list[str]]) -> dict[str, str]:
    """Return the ``user_options`` the submitted spawn *form* asks for: ``{"profile": name}``.

    Only the profile field is read; a form without it asks for the default
    profile (``{}``).
    """
    values = form.get(PROFILE_OPTION) or []
    chosen = values[0].strip() if values else ""
    return {PROFILE_OPTION: chosen} if chosen else {}
