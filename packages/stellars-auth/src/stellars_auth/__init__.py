"""Accounts for Stellars Hub: a NativeAuthenticator that works on JupyterHub 5 and 6."""

from stellars_auth.accounts import (
    authorization_states,
    changes_own_password,
    take_credentials,
    waiting_sign_ups,
)
from stellars_auth.authenticator import StellarsNativeAuthenticator
from stellars_auth.credentials import CredentialCache, TakenCredentials
from stellars_auth.look_alikes import look_alikes
from stellars_auth.passphrases import generate_passphrase
from stellars_auth.platform_admins import PlatformAdmins
from stellars_auth.usernames import (
    DEFAULT_MAX_LENGTH as DEFAULT_USERNAME_MAX_LENGTH,
)
from stellars_auth.usernames import (
    DEFAULT_PATTERN as DEFAULT_USERNAME_PATTERN,
)
from stellars_auth.usernames import (
    InvalidUsernameError,
    UsernamePolicy,
    shown,
)

__all__ = [
    "DEFAULT_USERNAME_MAX_LENGTH",
    "DEFAULT_USERNAME_PATTERN",
    "CredentialCache",
    "InvalidUsernameError",
    "PlatformAdmins",
    "StellarsNativeAuthenticator",
    "TakenCredentials",
    "UsernamePolicy",
    "authorization_states",
    "changes_own_password",
    "generate_passphrase",
    "look_alikes",
    "shown",
    "take_credentials",
    "waiting_sign_ups",
]
