"""Accounts for Stellars Hub: a NativeAuthenticator that works on JupyterHub 5 and 6."""

from stellars_auth.accounts import authorization_states
from stellars_auth.authenticator import StellarsNativeAuthenticator
from stellars_auth.passwords import generate_password

__all__ = ["StellarsNativeAuthenticator", "authorization_states", "generate_password"]
