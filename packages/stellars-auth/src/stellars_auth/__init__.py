"""Accounts for Stellars Hub: a NativeAuthenticator that works on JupyterHub 5 and 6."""

from stellars_auth.accounts import authorization_states, take_credentials
from stellars_auth.authenticator import StellarsNativeAuthenticator
from stellars_auth.credentials import CredentialCache, TakenCredentials
from stellars_auth.passphrases import generate_passphrase
from stellars_auth.platform_admins import PlatformAdmins

__all__ = [
    "CredentialCache",
    "PlatformAdmins",
    "StellarsNativeAuthenticator",
    "TakenCredentials",
    "authorization_states",
    "generate_passphrase",
    "take_credentials",
]
