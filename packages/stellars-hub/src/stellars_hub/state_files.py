"""The hub's SQLite files, readable by their owner only.

The hub's database holds every API token's hash, NativeAuthenticator's
password hashes, pending sign-ups and the broadcast history; SQLite creates
it with the process's umask (usually 0644), so every local user could copy it.
JupyterHub protects its cookie secret itself (0600) but not the database.
The platform creates each SQLite file it will use with 0600 before anything
opens it, and takes group and other bits off one that exists; SQLite gives
its journal and write-ahead files the database's own mode.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

OWNER_ONLY = 0o600


def sqlite_path(db_url: str) -> Path | None:
    """Return the file a SQLite *db_url* names (absolute); None for other databases and memory."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if str(url.database).startswith("file:"):  # a URI filename: SQLite's own syntax, left alone
        return None
    return Path(str(url.database)).absolute()


def restrict_to_owner(db_url: str) -> Path | None:
    """Make *db_url*'s SQLite file readable and writable by its owner only; return its path.

    A missing file is created empty with mode 0600 (SQLite takes an empty
    file as a new database); an existing one loses its group and other
    permission bits. Returns None, touching nothing, for other databases.

    Raises:
        OSError: the file cannot be created or its mode changed.
    """
    path = sqlite_path(db_url)
    if path is None:
        return None
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(mode & 0o700)
            log.warning(
                "%s was readable by others (mode %o); it is now %o", path, mode, mode & 0o700
            )
    else:
        os.close(descriptor)
    return path
