import textwrap

import pytest

PASSWORD = "ui-test-password"
PLATFORM_NAME = "Test Platform <b>"
HEALTH_PER_MINUTE = 5

# The context a hub of this package alone gives the handlers. The activity and
# history parts are made, never started: no test of this package reaches them.
CONTEXT_SOURCE = textwrap.dedent("""
    from stellars_activity import ActivityMonitor, ActivityStore, IdlePolicy, IdleSessions
    from stellars_ui import HealthChecks, PlatformContext
    from stellars_ui.broadcasts import BroadcastHistory

    def tornado_settings(ui, *, health=None, docker=None):
        store = ActivityStore("sqlite://")
        return PlatformContext(
            ui=ui,
            broadcasts=BroadcastHistory(store.engine, keep=10),
            health=HealthChecks() if health is None else health,
            activity=ActivityMonitor(store),
            idle=IdleSessions(store.engine, IdlePolicy(), enabled=False),
            docker=docker,
        ).tornado_settings()
""")

# A hub with only this package's parts: stellars-ui is tested without its siblings.
UI_CONFIG = CONTEXT_SOURCE + textwrap.dedent(f"""
    from stellars_ui import TEMPLATE_DIR, UISettings, extra_handlers, template_vars

    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = {PASSWORD!r}
    c.Authenticator.allow_all = True
    c.JupyterHub.spawner_class = "simple"
    c.JupyterHub.extra_handlers = extra_handlers()
    c.JupyterHub.template_paths = [TEMPLATE_DIR]
    ui_settings = UISettings(platform_name={PLATFORM_NAME!r})
    c.JupyterHub.template_vars = template_vars(ui_settings)
    health = HealthChecks(per_minute={HEALTH_PER_MINUTE})
    c.JupyterHub.tornado_settings = tornado_settings(ui_settings, health=health)
""")


@pytest.fixture(scope="session")
def context_source():
    """Python source defining ``tornado_settings(ui, *, health, docker)`` for a hub's config."""
    return CONTEXT_SOURCE


# One hub per module (a hub start is about 3 s of CPU): the tests that share it
# read, or make users of their own. test_health.py counts requests per address
# against the hub's limit, so it starts one hub per test instead.
@pytest.fixture(scope="module")
def ui_hub(module_hub_factory):
    return module_hub_factory(UI_CONFIG)


@pytest.fixture
def ui_config():
    """Python source of the config of a hub with only this package's parts."""
    return UI_CONFIG


@pytest.fixture
def ui_password():
    return PASSWORD


@pytest.fixture
def health_per_minute():
    return HEALTH_PER_MINUTE


@pytest.fixture
def platform_name():
    return PLATFORM_NAME
