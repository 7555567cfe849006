"""JupyterHub configuration of a Stellars Hub deployment.

Everything is set through environment variables (see ``stellars-hub settings``);
this file only hands JupyterHub's config object to the platform.
"""

from stellars_hub import configure

configure(c)
