"""Branding images: where each comes from, checked once at start-up.

An image is named by a URI, as the original deployment's variables were:

- ``http://...`` or ``https://...``: the pages link to it as it is;
- ``file:///path``: the hub reads the file once, at start-up, and serves it
  itself. The path must lie inside the operator's branding directory, after
  symbolic links are followed, so a setting can never make the hub publish
  another file of the host (its database, a key).

Nothing here does I/O after start-up: the bytes are kept in memory (an image
of at most ``MAX_ASSET_BYTES``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

# What the hub serves, by file extension; anything else is refused at start-up.
CONTENT_TYPES = {
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
MAX_ASSET_BYTES = 1024 * 1024


class BrandingError(ValueError):
    """A branding URI that cannot be used; the message says why and what would do."""


@dataclass(frozen=True)
class BrandAsset:
    """One branding image: an external URL, or bytes the hub serves.

    Attributes:
        url: the ``http(s)`` URL the pages link to; None for a served file.
        content: the file's bytes; empty for an external URL.
        content_type: the bytes' media type; empty for an external URL.
    """

    url: str | None = None
    content: bytes = b""
    content_type: str = ""

    @property
    def version(self) -> str:
        """A short digest of the bytes, appended to their URL so browsers fetch a new image."""
        return hashlib.sha256(self.content).hexdigest()[:12]


def load_asset(uri: str, directory: Path) -> BrandAsset | None:
    """Return the image *uri* names, None for an empty *uri*.

    Raises:
        BrandingError: *uri* is neither ``http(s)`` nor ``file``, or the file
            is missing, outside *directory*, not an image type the hub
            serves (see ``CONTENT_TYPES``) or larger than ``MAX_ASSET_BYTES``.
    """
    if not uri:
        return None
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme in {"http", "https"}:
        if not parts.hostname:
            raise BrandingError("an http(s) URL needs a host")
        return BrandAsset(url=uri)
    if scheme != "file":
        raise BrandingError("use a file:// path or an http(s):// URL")
    if parts.netloc not in {"", "localhost"}:
        raise BrandingError("a file:// URI names a file of this machine: file:///path/to/image")
    return _load_file(Path(unquote(parts.path)), directory)


def _load_file(path: Path, directory: Path) -> BrandAsset:
    try:
        root = directory.resolve(strict=True)
    except OSError:
        raise BrandingError(f"the branding directory {str(directory)!r} does not exist") from None
    try:
        # Resolved first: a link inside the directory to a file outside it is outside.
        resolved = path.resolve(strict=True)
    except OSError:
        raise BrandingError(f"no such file: {str(path)!r}") from None
    if not resolved.is_relative_to(root):
        raise BrandingError(
            f"{str(path)!r} is outside the branding directory {str(directory)!r}; "
            "put the image there or set JUPYTERHUB_BRANDING_DIR"
        )
    content_type = CONTENT_TYPES.get(resolved.suffix.lower())
    if content_type is None:
        raise BrandingError(f"{str(path)!r} is not one of {', '.join(sorted(CONTENT_TYPES))}")
    if not resolved.is_file():
        raise BrandingError(f"{str(path)!r} is not a file")
    size = resolved.stat().st_size
    if size > MAX_ASSET_BYTES:
        raise BrandingError(f"{str(path)!r} has {size} bytes; an image may have {MAX_ASSET_BYTES}")
    try:
        content = resolved.read_bytes()
    except OSError as error:
        raise BrandingError(f"cannot read {str(path)!r}: {error.strerror}") from None
    return BrandAsset(content=content, content_type=content_type)
