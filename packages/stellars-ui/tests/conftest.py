import textwrap

import pytest

PASSWORD = "ui-test-password"
PLATFORM_NAME = "Test Platform <b>"
HEALTH_PER_MINUTE = 5

# A hub with only this package's parts: stellars-ui is tested without its siblings.
UI_CONFIG = textwrap.dedent(f"""
    from stellars_ui import (
        HEALTH_KEY, SETTINGS_KEY, TEMPLATE_DIR, HealthChecks, UISettings, extra_handlers,
        template_vars,
    )

    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = {PASSWORD!r}
    c.Authenticator.allow_all = True
    c.JupyterHub.spawner_class = "simple"
    c.JupyterHub.extra_handlers = extra_handlers()
    c.JupyterHub.template_paths = [TEMPLATE_DIR]
    ui_settings = UISettings(platform_name={PLATFORM_NAME!r})
    c.JupyterHub.template_vars = template_vars(ui_settings)
    health = HealthChecks(per_minute={HEALTH_PER_MINUTE})
    c.JupyterHub.tornado_settings = {{SETTINGS_KEY: ui_settings, HEALTH_KEY: health}}
""")


@pytest.fixture
def ui_hub(hub_factory):
    return hub_factory(UI_CONFIG)


@pytest.fixture
def ui_password():
    return PASSWORD


@pytest.fixture
def health_per_minute():
    return HEALTH_PER_MINUTE


@pytest.fixture
def platform_name():
    return PLATFORM_NAME
