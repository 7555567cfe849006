"""``GET /hub/api/stellars/openapi.json``: the platform API's OpenAPI document.

Public, since it is documentation. The document is a YAML file shipped in
the package (``stellars_ui/openapi.yaml``), read once when the routes are
made (:func:`load_openapi`, called by ``extra_handlers()`` at start-up) and
handed to the handler, so no request reads the disk.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import yaml

from stellars_ui.handlers.base import StellarsAPIHandler

OPENAPI_RESOURCE = "openapi.yaml"


def load_openapi() -> dict[str, Any]:
    """Return the OpenAPI document shipped with the package.

    Reads the package's data from disk: call it at start-up, never from a handler.
    """
    text = files("stellars_ui").joinpath(OPENAPI_RESOURCE).read_text(encoding="utf-8")
    # safe_load: the file is ours, but a YAML loader that builds objects is never needed.
    document: dict[str, Any] = yaml.safe_load(text)
    return document


class OpenAPIHandler(StellarsAPIHandler):
    """GET: the document as JSON, its ``servers`` pointing at this hub's prefix."""

    def initialize(self, document: dict[str, Any]) -> None:
        """Keep *document* (read at start-up, shared by every request: never changed here)."""
        self.document = document

    def get(self) -> None:
        """Answer the document; ``public, no-cache`` with tornado's ETag, so 304 when unchanged."""
        # The file says /hub (a hub at the server's root); a hub under a base
        # URL serves its paths below that (JupyterHub's hub.base_url, e.g.
        # /prefix/hub/), and a client should call there.
        hub_prefix: str = self.hub.base_url
        servers = [{"url": hub_prefix.rstrip("/"), "description": "this hub"}]
        # Revalidated each time (cheap: tornado answers 304 on a matching
        # ETag), so a client never keeps the document of an older version.
        self.set_header("Cache-Control", "public, no-cache")
        self.finish({**self.document, "servers": servers})
