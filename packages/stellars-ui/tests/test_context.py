"""The platform context: immutable, shared as it is through traitlets' copy, required at start."""

import copy
import dataclasses

import pytest
from tornado.web import RequestHandler
from traitlets.config import Config

from stellars_activity import ActivityMonitor, ActivityStore, IdlePolicy, IdleSessions
from stellars_docker import DockerRuntime, DockerSettings
from stellars_ui import (
    HealthChecks,
    PlatformContext,
    PlatformContextMissingError,
    UISettings,
    extra_handlers,
    platform_context,
    require_platform_context,
)
from stellars_ui.broadcasts import BroadcastHistory


@pytest.fixture
def context():
    store = ActivityStore("sqlite://")
    return PlatformContext(
        ui=UISettings(platform_name="Context"),
        broadcasts=BroadcastHistory(store.engine, keep=3),
        health=HealthChecks(),
        activity=ActivityMonitor(store),
        idle=IdleSessions(store.engine, IdlePolicy(), enabled=False),
        docker=DockerRuntime(DockerSettings(image="lab")),
    )


def test_the_context_cannot_be_changed_or_given_new_parts(context):
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.docker = None
    with pytest.raises((AttributeError, TypeError)):
        context.extra = "part"  # slots: no attribute beyond the declared parts
    assert not hasattr(context, "__dict__")


def test_a_config_holding_the_context_copies_to_the_very_same_context_and_parts(context):
    config = Config()
    config.JupyterHub.tornado_settings = {"mine": 1, **context.tornado_settings()}
    copied = platform_context(copy.deepcopy(config).JupyterHub.tornado_settings)
    assert copied is context
    # The live parts come along as themselves: a copy of one would never have started.
    assert copied.activity is context.activity
    assert copied.docker is context.docker


def test_the_branding_is_the_one_the_pages_are_rendered_with(context):
    assert context.branding is context.ui.branding


@pytest.mark.parametrize("settings", [{}, {"stellars_platform": {"ui": "not a context"}}])
def test_settings_without_a_context_are_refused_with_what_to_do(settings):
    with pytest.raises(PlatformContextMissingError, match=r"configure\(c\)"):
        platform_context(settings)


def test_routes_to_platform_handlers_need_the_context(context):
    routes = extra_handlers()
    first = routes[0][0]
    with pytest.raises(PlatformContextMissingError, match=rf"route\(s\) need it, '{first}'"):
        require_platform_context(routes, {"xsrf_cookies": True})
    require_platform_context(extra_handlers(), context.tornado_settings())


def test_routes_to_other_handlers_need_no_context():
    require_platform_context([("/mine", RequestHandler)], {})
