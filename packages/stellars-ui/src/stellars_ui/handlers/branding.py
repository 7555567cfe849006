"""The branding images the hub serves itself: ``stellars/branding/<name>`` and the lab favicons.

Both answer anyone, signed in or not: the login page shows the logo, and a
browser fetches a favicon without credentials. They serve only the images
the operator configured, from memory; an image given as an external URL is
a redirect to it.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

from tornado import web

from stellars_ui.handlers.base import PlatformHandler

if TYPE_CHECKING:
    from stellars_ui.branding import BrandAsset, Branding

# Browsers keep an image an hour; a changed image has a new ?v= in the pages.
_CACHE_CONTROL = "public, max-age=3600"
# An SVG opened on its own is a document of the hub's origin: it may run no
# script and load nothing.
_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


class _BrandingHandler(PlatformHandler):
    @property
    def branding(self) -> Branding:
        """The platform's branding."""
        return self.platform.branding

    def send_asset(self, asset: BrandAsset | None) -> None:
        """Answer with *asset*: its bytes, a redirect to its URL, or 404 when there is none."""
        if asset is None:
            raise web.HTTPError(HTTPStatus.NOT_FOUND)
        if asset.url is not None:
            self.redirect(asset.url)
            return
        self.set_header("Content-Type", asset.content_type)
        self.set_header("Cache-Control", _CACHE_CONTROL)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", _CONTENT_SECURITY_POLICY)
        self.finish(asset.content)


class BrandingAssetHandler(_BrandingHandler):
    """GET ``stellars/branding/<name>``: a configured image (``logo``, ``favicon``, ...)."""

    def get(self, name: str) -> None:
        """Answer with the image, or 404 for a name that is not configured."""
        self.send_asset(self.branding.assets().get(name))

    head = get


class LabFaviconHandler(_BrandingHandler):
    """GET ``stellars/lab-favicon/<a lab's favicon path>``: the platform's favicon, every frame.

    The proxy sends a lab's ``static/favicons/`` here (see
    ``stellars_ui.branding.lab_favicons``): the idle icon, the kernel-busy
    frames and the notebook, file and terminal icons all become the favicon.
    """

    def get(self, frame: str) -> None:
        """Answer with the favicon (404 when none is configured)."""
        del frame  # every frame is the same image
        self.send_asset(self.branding.favicon)

    head = get
