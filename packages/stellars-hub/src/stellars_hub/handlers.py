"""``stellars_hub.handlers``: the original's handler classes, which are the platform's own.

An original-style config registers them itself, under the original routes
(relative to the hub prefix)::

    (r"/api/users/([^/]+)/manage-volumes", ManageVolumesHandler)
    (r"/api/users/([^/]+)/restart-server", RestartServerHandler)
    (r"/api/users/([^/]+)/session-info", SessionInfoHandler)
    (r"/api/users/([^/]+)/extend-session", ExtendSessionHandler)
    (r"/api/notifications/active-servers", ActiveServersHandler)
    (r"/api/notifications/broadcast", BroadcastNotificationHandler)
    (r"/api/admin/credentials", GetUserCredentialsHandler)
    (r"/api/activity", ActivityDataHandler)
    (r"/api/activity/reset", ActivityResetHandler)
    (r"/api/activity/sample", ActivitySampleHandler)
    (r"/notifications", NotificationsPageHandler)
    (r"/settings", SettingsPageHandler)
    (r"/activity", ActivityPageHandler)

They behave as the platform's: the same scopes, JSON errors and fixes. Their
configuration comes from the config's ``stellars_config`` (see
``stellars_hub.original.completion``). ``FaviconRedirectHandler`` is the
handler the lab favicon routes reach; the platform registers it itself, and
it answers with the favicon rather than a redirect, so nothing can loop.
"""

from stellars_ui.handlers.activity import (
    ActivityHandler as ActivityDataHandler,
)
from stellars_ui.handlers.activity import (
    ActivityResetHandler,
    ActivitySampleHandler,
)
from stellars_ui.handlers.activity_page import ActivityPageHandler
from stellars_ui.handlers.branding import LabFaviconHandler as FaviconRedirectHandler
from stellars_ui.handlers.credentials import CredentialsHandler as GetUserCredentialsHandler
from stellars_ui.handlers.notifications import ActiveServersHandler
from stellars_ui.handlers.notifications import BroadcastHandler as BroadcastNotificationHandler
from stellars_ui.handlers.notifications_page import NotificationsPageHandler
from stellars_ui.handlers.restart import RestartServerHandler
from stellars_ui.handlers.sessions import ExtendSessionHandler, SessionInfoHandler
from stellars_ui.handlers.settings_page import SettingsPageHandler
from stellars_ui.handlers.volumes import ManageVolumesHandler

__all__ = [
    "ActiveServersHandler",
    "ActivityDataHandler",
    "ActivityPageHandler",
    "ActivityResetHandler",
    "ActivitySampleHandler",
    "BroadcastNotificationHandler",
    "ExtendSessionHandler",
    "FaviconRedirectHandler",
    "GetUserCredentialsHandler",
    "ManageVolumesHandler",
    "NotificationsPageHandler",
    "RestartServerHandler",
    "SessionInfoHandler",
    "SettingsPageHandler",
]
