"""``StellarsNativeAuthenticator``: NativeAuthenticator made safe for JupyterHub 5 and 6."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from jupyterhub import orm
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.orm import UserInfo
from sqlalchemy.exc import SQLAlchemyError
from tornado import web
from traitlets import Bool, Float, Integer, List, TraitError, Unicode, validate

from stellars_auth.addresses import client_address, parse_trusted_proxies
from stellars_auth.authorization import (
    AuthorizationAreaHandler,
    DiscardHandler,
    ToggleAuthorizationHandler,
)
from stellars_auth.credentials import CredentialCache
from stellars_auth.devices import is_known_device, remember_device
from stellars_auth.forms import ChangePasswordAdminHandler, ChangePasswordHandler, SignUpHandler
from stellars_auth.lifecycle import keep_accounts_in_step
from stellars_auth.lockout import BackOff, LoginThrottle, Refusal
from stellars_auth.login import LoginHandler
from stellars_auth.passphrases import MIN_WORDS, generate_passphrase
from stellars_auth.passwords import (
    FULL_COST,
    HIGHEST_FULL_COST,
    LOWEST_FULL_COST,
    PROVISIONAL_COST,
    PasswordWork,
    is_provisional,
)
from stellars_auth.schema import HISTORY
from stellars_auth.signups import WaitingCount, forget_sign_up, record_sign_up
from stellars_auth.usernames import (
    DEFAULT_MAX_LENGTH,
    DEFAULT_PATTERN,
    InvalidUsernameError,
    UsernamePolicy,
    normalize,
    shown,
)
from stellars_auth.users_api import UserAPIHandler
from stellars_core.migrations import upgrade


class StellarsNativeAuthenticator(NativeAuthenticator):  # type: ignore[misc]
    """NativeAuthenticator with a JupyterHub 6 login and a first-start admin account.

    Registered as the ``stellars`` entry point of ``jupyterhub.authenticators``.
    """

    initial_admin_password = Unicode(
        "",
        config=True,
        help="""Password given to the admin account the first time it is created.

        Applied once, when the hub creates the admin user; later starts never
        change it. When empty, a password is generated and written once to the log.
        """,
    )
    generated_password_words = Integer(
        MIN_WORDS,
        config=True,
        help="Words in a generated passphrase (EFF long word list), at least 4.",
    )
    generated_password_delimiter = Unicode(
        "-", config=True, help="What joins the words of a generated passphrase."
    )
    credentials_ttl = Float(
        300.0,
        config=True,
        help="Seconds a generated passphrase stays readable (once) in hub memory.",
    )
    # NativeAuthenticator's checks, on by default here.
    minimum_password_length = Integer(
        8, config=True, help="Shortest password accepted at sign-up and on a change."
    )
    check_common_password = Bool(
        default_value=True,
        config=True,
        help="Refuse passwords on NativeAuthenticator's common-password list.",
    )
    lockout_failures = Integer(
        5,
        config=True,
        help="""Failed logins of one username, from any address, after which further
        attempts wait under a doubling back-off (15 s, 30 s, ... up to lockout_seconds);
        a browser that logged in as that user before has an allowance of its own.
        0: no throttle at all.""",
    )
    lockout_seconds = Float(
        600.0, config=True, help="Longest wait of the back-off, per account and per address."
    )
    address_failures = Integer(
        50,
        config=True,
        help="""Failed logins from one client address, whatever the usernames, after
        which that address waits under the same back-off; 0: no per-address budget.""",
    )
    trusted_proxies = List(
        Unicode(),
        config=True,
        help="""Addresses or CIDR networks of proxies whose X-Forwarded-For is believed,
        besides loopback and the hub's own address (where the proxy the hub started
        connects from).""",
    )
    password_hash_cost = Integer(
        FULL_COST,
        config=True,
        help=f"""bcrypt cost (log2 of the rounds) passwords are hashed and checked at:
        {FULL_COST}, NativeAuthenticator's, by default; {LOWEST_FULL_COST} to {HIGHEST_FULL_COST}.
        Each step doubles the CPU of every login, sign-up and password change.
        Existing hashes keep the cost they were made with; a batch account's
        provisional hash ({PROVISIONAL_COST}) is re-hashed at this cost. Lower it only
        where the passwords protect nothing (the test suite's hubs).""",
    )
    username_max_length = Integer(
        DEFAULT_MAX_LENGTH,
        config=True,
        help="""Longest new username, in characters (1 to 128, the account table's column).
        Existing users with longer names keep working.""",
    )
    username_allowed_pattern = Unicode(
        DEFAULT_PATTERN,
        config=True,
        help="""Regular expression a whole new username must match, after NFKC
        normalisation and lower-casing. Existing users keep working.""",
    )

    @validate("username_max_length")  # type: ignore[untyped-decorator]
    def _column_fits(self, proposal: Any) -> int:
        length = int(proposal["value"])
        if not 1 <= length <= _ACCOUNT_NAME_COLUMN:
            raise TraitError(f"username_max_length must be within 1 and {_ACCOUNT_NAME_COLUMN}")
        return length

    @validate("password_hash_cost")  # type: ignore[untyped-decorator]
    def _a_cost_bcrypt_takes(self, proposal: Any) -> int:
        cost = int(proposal["value"])
        if not LOWEST_FULL_COST <= cost <= HIGHEST_FULL_COST:
            raise TraitError(
                f"password_hash_cost must be within {LOWEST_FULL_COST} and {HIGHEST_FULL_COST}"
            )
        return cost

    @validate("generated_password_words")  # type: ignore[untyped-decorator]
    def _at_least_four_words(self, proposal: Any) -> int:
        words = int(proposal["value"])
        if words < MIN_WORDS:
            raise TraitError(f"generated_password_words must be at least {MIN_WORDS}")
        return words

    @validate("trusted_proxies")  # type: ignore[untyped-decorator]
    def _addresses_or_networks(self, proposal: Any) -> list[str]:
        entries = [str(entry) for entry in proposal["value"]]
        try:
            parse_trusted_proxies(entries)
        except ValueError as error:
            raise TraitError(f"trusted_proxies: {error}") from None
        return entries

    # Seconds before the first retry of a re-hash the database refused; the
    # pauses grow with each try (tests shorten it).
    strengthen_retry_s = 5.0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # A renamed hub user keeps their account (see stellars_auth.lifecycle).
        keep_accounts_in_step()
        self.credentials = CredentialCache(ttl_s=self.credentials_ttl)
        self.proxy_networks = parse_trusted_proxies(self.trusted_proxies)
        account = BackOff(self.lockout_failures, self.lockout_seconds)
        address = BackOff(
            self.address_failures if self.lockout_failures else 0, self.lockout_seconds
        )
        # The authenticator also serves hubs that do not run configure(): it
        # brings its own table to its newest revision (a no-op after configure()).
        upgrade(self.db.get_bind().url.render_as_string(hide_password=False), [HISTORY])
        self.throttle = LoginThrottle(self.db, account, address)
        self.passwords = PasswordWork(full_cost=self.password_hash_cost)
        # The navbar's count of sign-ups waiting for approval (see stellars_auth.signups).
        self.waiting = WaitingCount()
        # Re-hashes at full cost running in the background (see add_user),
        # held here so the event loop does not drop them half-way.
        self._strengthening: set[asyncio.Task[None]] = set()
        try:
            self.username_policy = UsernamePolicy(
                self.username_max_length, self.username_allowed_pattern
            )
        except ValueError as error:
            raise TraitError(str(error)) from error

    def normalize_username(self, username: str) -> str:
        """Return *username* lower-cased and in NFKC form (full-width ``ADMIN`` is ``admin``).

        A name that exists as it was typed keeps that form, so an account made
        before NFKC normalisation still logs in.
        """
        lowered: str = super().normalize_username(username)
        normal = normalize(lowered)
        if normal != lowered and self._exists(lowered):
            return lowered
        return normal

    def username_refusal(self, username: str) -> str | None:
        """Return why the normalised *username* may not be a new name; None when it may.

        Existing users and accounts, and the names the configuration lists,
        are never refused: only new names are held to the policy.
        """
        if username in self.admin_users or username in self.allowed_users:
            return None
        if self._exists(username):
            return None
        try:
            self.username_policy.check(username, self._existing_names())
        except InvalidUsernameError as refused:
            return refused.reason
        return None

    def validate_username(self, username: str) -> bool:
        """Return whether *username* is valid; raise HTTPError 400 naming the reason if not.

        JupyterHub calls this before creating users (``POST /hub/api/users``,
        a rename) and answers a plain "Invalid username" when it returns
        False; raising carries the policy's reason into the JSON error.
        """
        reason = self.username_refusal(username)
        if reason is not None:
            self.log.warning("Refused the new username %s: %s", shown(username), reason)
            raise web.HTTPError(400, f"Invalid username {shown(username)}: {reason}")
        return bool(super().validate_username(username))

    def generate_password(self) -> str:
        """Return a new passphrase with the configured words and delimiter."""
        return generate_passphrase(self.generated_password_words, self.generated_password_delimiter)

    def get_handlers(self, app: Any) -> list[tuple[str, Any]]:
        """Return NativeAuthenticator's handlers with ours in place of login and authorization."""
        handlers: list[tuple[str, Any]] = super().get_handlers(app)
        # JupyterHub routes an authenticator's handlers before its own, so this
        # one answers POST /hub/api/users/<name> (core's otherwise) and checks
        # the username policy before core creates the user (see users_api).
        return [
            *((path, _REPLACED.get(path, cls)) for path, cls in handlers),
            (r"/api/users/([^/]+)", UserAPIHandler),
        ]

    def create_user(self, username: str, password: str, **kwargs: Any) -> Any:
        """Create a sign-up's account, never one under the name of a configured admin.

        NativeAuthenticator pre-authorises a sign-up under an admin's name:
        whoever signed up first under a new admin name would own that admin.
        The admin's account is made by the hub itself (see ``add_user``).
        """
        if self.normalize_username(username) in self.admin_users:
            self.log.warning("Refused a sign-up under the admin name %s", shown(username))
            return None
        return super().create_user(username, password, **kwargs)

    async def authenticate(self, handler: Any, data: dict[str, str]) -> str | None:
        """Return the username when the password is right and the account is authorised.

        NativeAuthenticator's rules (authorisation, 2FA), with bcrypt in a
        worker thread, behind the login throttle (``stellars_auth.lockout``):
        a throttled attempt is refused without a password check, and an
        unknown username costs one bcrypt check like a known one. Why a form
        login failed is left on a :class:`LoginHandler` for the page to say.
        """
        username: str = self.normalize_username(data.get("username", ""))
        address = client_address(getattr(handler, "request", None), self.proxy_networks)
        known = is_known_device(handler, username)
        refusal = self.throttle.check(username, address, known_device=known)
        if refusal is not None:
            _note(handler, refusal=refusal)
            self.log.warning(
                "Throttled login for %r from %s (%ds left)",
                username[:64],
                address or "?",
                refusal.retry_after_s,
            )
            return None
        self.throttle.charge(username, address, known_device=known)
        user_info = self.get_user(username)
        if user_info is None and username in self.admin_users:
            # The hub has the admin but their account is gone (a restored or
            # hand-edited database, another authenticator before): made now,
            # from the initial password, so no start leaves the admin locked out.
            await self._bootstrap_admin(username)
            user_info = self.get_user(username)
        stored = user_info.password if user_info is not None else self.passwords.no_account_hash
        password_ok = await self.passwords.check(data.get("password", ""), stored)
        if user_info is None:
            self.throttle.failed()
            return None
        token_ok = not user_info.has_2fa or user_info.is_valid_token(data.get("2fa"))
        if user_info.is_authorized and password_ok and token_ok:
            self.throttle.succeeded(username, address, known_device=known)
            if is_provisional(user_info.password, self.password_hash_cost):
                # A batch account whose full-cost hash was lost to a restart.
                self._strengthen_later(username, data.get("password", ""), user_info.password)
            if handler is not None:
                remember_device(handler, username)
            return username
        self.throttle.failed()
        if password_ok and not user_info.is_authorized:
            _note(handler, pending=True)
        elif not password_ok:
            self.log.warning("Failed login for %s from %s", shown(username), address or "?")
        return None

    async def sign_up(self, username: str, password: str, **fields: Any) -> Any:
        """Create a sign-up's account (pending unless sign-up is open); None when refused.

        NativeAuthenticator's checks (name free and valid, password long and
        uncommon, sign-up enabled), the username policy, never an admin's
        name, bcrypt in a thread.
        """
        username = self.normalize_username(username)
        if username in self.admin_users:
            self.log.warning("Refused a sign-up under the admin name %s", shown(username))
            return None
        refused = (
            self.user_exists(username)
            or self.username_refusal(username) is not None
            or not NativeAuthenticator.validate_username(self, username)
            or not self.is_password_strong(password)
            or not self.enable_signup
        )
        if refused:
            return None
        hashed = await self.passwords.hash(password)
        if self.user_exists(username):  # someone took the name while we hashed
            return None
        try:
            account = UserInfo(
                username=username, password=hashed, is_authorized=bool(self.open_signup), **fields
            )
        except AssertionError:  # NativeAuthenticator's check of the e-mail address
            return None
        self.db.add(account)
        if not account.is_authorized:
            record_sign_up(self.db, username, datetime.now(UTC))
        self.db.commit()
        self.waiting.forget()
        return account

    async def set_password(self, username: str, new_password: str) -> bool:
        """Set *username*'s password if it is strong enough; forget any cached passphrase."""
        account = self.get_user(username)
        if account is None or not self.is_password_strong(new_password):
            return False
        account.password = await self.passwords.hash(new_password)
        self.db.commit()
        self.credentials.forget(username)
        return True

    async def is_pending_approval(self, username: str, password: str) -> bool:
        """Return whether *username* signed up with *password* but is not authorised yet."""
        user_info = self.get_user(username)
        if user_info is None or user_info.is_authorized:
            return False
        return await self.passwords.check(password, user_info.password)

    async def add_user(self, user: Any) -> None:
        """Give a user the hub has just created an account, unless they have one.

        JupyterHub calls this once per new user: for the configured admin at
        the first start (the one moment to apply the initial password), for
        users an admin creates (the admin page, ``POST /hub/api/users``), and
        for a signed-up user at their first login (who has an account).
        """
        super().add_user(user)
        if user.name in self.admin_users:
            await self._bootstrap_admin(user.name)
        elif self.get_user(user.name) is None:
            password = self.generate_password()
            # JupyterHub adds a batch of users one after another: at full cost
            # a hundred would take 25 s. The account is usable at once with a
            # provisional hash and re-hashed at full cost in the background.
            provisional = await self._create_account(user.name, password, cost=PROVISIONAL_COST)
            self._strengthen_later(user.name, password, provisional)
            # Readable once, for a few minutes, by whoever may read credentials.
            self.credentials.put(user.name, password)

    async def _bootstrap_admin(self, username: str) -> None:
        existing = self.get_user(username)
        if existing is not None and existing.is_authorized:
            return  # an account someone was given: it stays as it is
        if existing is not None:
            # A stranger's pending sign-up under a name that has just become
            # the admin's: it must not become the admin's password.
            self.log.warning(
                "Discarding the pending sign-up %s: it is the admin's name", shown(username)
            )
            self.db.delete(existing)
            forget_sign_up(self.db, username)
            self.db.commit()
            self.waiting.forget()
        password = self.initial_admin_password
        if not password:
            password = self.generate_password()
            # Printed once, on the first start, so the operator can log in.
            self.log.warning(
                "Created admin account %s with the generated password: %s",
                shown(username),
                password,
            )
        await self._create_account(username, password)

    async def _create_account(self, username: str, password: str, cost: int | None = None) -> bytes:
        hashed = await self.passwords.hash(password, cost=cost)
        self.db.add(UserInfo(username=username, password=hashed, is_authorized=True))
        self.db.commit()
        return hashed

    def _strengthen_later(self, username: str, password: str, provisional: bytes) -> None:
        task = asyncio.create_task(self._strengthen(username, password, provisional))
        self._strengthening.add(task)
        task.add_done_callback(self._strengthening.discard)

    async def _strengthen(self, username: str, password: str, provisional: bytes) -> None:
        """Replace *username*'s *provisional* hash with a full-cost one of the same *password*.

        Nothing is replaced when the account is gone or its password changed
        meanwhile: the newer password wins. A database that refuses the write
        (SQLite locked by a long writer) is asked again, with pauses growing
        by ``strengthen_retry_s``; after the last try the account keeps its
        provisional hash until its next login.
        """
        full = await self.passwords.hash(password, background=True)
        for attempt in range(1, STRENGTHEN_ATTEMPTS + 1):
            try:
                account = self.get_user(username)
                if account is not None and account.password == provisional:
                    account.password = full
                    self.db.commit()
            except SQLAlchemyError as error:
                self.db.rollback()
                self.log.warning(
                    "Could not store the re-hashed password of %s (try %d of %d): %s",
                    shown(username),
                    attempt,
                    STRENGTHEN_ATTEMPTS,
                    error,
                )
            else:
                return
            if attempt < STRENGTHEN_ATTEMPTS:
                await asyncio.sleep(self.strengthen_retry_s * attempt)
        self.log.error(
            "The password of %s keeps its provisional hash until its next login", shown(username)
        )

    def change_password(self, username: str, new_password: str) -> bool | None:
        """Change *username*'s password (NativeAuthenticator's rules); forget any cached one."""
        changed: bool | None = super().change_password(username, new_password)
        if changed:
            self.credentials.forget(username)
        return changed

    def delete_user(self, user: Any) -> None:
        """Delete *user*'s account and forget any cached passphrase."""
        self.credentials.forget(user.name)
        forget_sign_up(self.db, user.name)
        super().delete_user(user)
        self.waiting.forget()

    def _exists(self, username: str) -> bool:
        if self.db is None:  # before JupyterHub hands over its database
            return False
        # Asked twice per user of a batch: a bare EXISTS, not a loaded User.
        user = self.db.query(orm.User.id).filter(orm.User.name == username)
        account = self.db.query(UserInfo.id).filter(UserInfo.username == username)
        return bool(
            self.db.query(user.exists()).scalar() or self.db.query(account.exists()).scalar()
        )

    def _existing_names(self) -> list[str]:
        if self.db is None:
            return []
        users = {name for (name,) in self.db.query(orm.User.name)}
        accounts = {name for (name,) in self.db.query(UserInfo.username)}
        return sorted(users | accounts)


# Tries at storing a re-hashed password: with pauses of 5, 10, 15 and 20 s
# between them, a minute for a long writer to finish.
STRENGTHEN_ATTEMPTS = 5

# NativeAuthenticator's account table keeps names in a 128-character column.
_ACCOUNT_NAME_COLUMN = 128


def _note(handler: Any, *, refusal: Refusal | None = None, pending: bool = False) -> None:
    # Only our login page says why; other callers of authenticate() just get None.
    if isinstance(handler, LoginHandler):
        handler.refusal = refusal
        handler.pending = pending


# NativeAuthenticator's routes whose handlers this package replaces.
_REPLACED: dict[str, Any] = {
    r"/login": LoginHandler,
    r"/signup": SignUpHandler,
    r"/change-password": ChangePasswordHandler,
    r"/change-password/([^/]+)": ChangePasswordAdminHandler,
    r"/authorize": AuthorizationAreaHandler,
    r"/authorize/([^/]*)": ToggleAuthorizationHandler,
    r"/discard/([^/]*)": DiscardHandler,
}
