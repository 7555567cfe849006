"""The config file ``stellars_activity.culler.managed_culler`` hands jupyterhub-idle-culler."""

from stellars_activity.culler import arbiter

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - traitlets' config-file global
c.IdleCuller.cull_arbiter_hook = arbiter
