"""``GET /hub/api/stellars/openapi.json``: the platform API's OpenAPI document.

Public, since it is documentation. The document is generated once when the
routes are made (``stellars_ui.openapi.load_openapi``, called by
``extra_handlers()`` at start-up) and handed to the handler, so no request
builds it.
"""

from __future__ import annotations

from typing import Any

from stellars_ui.handlers.base import StellarsAPIHandler


class OpenAPIHandler(StellarsAPIHandler):
    """GET: the document as JSON, its ``servers`` pointing at this hub's prefix."""

    def initialize(self, document: dict[str, Any]) -> None:
        """Keep *document* (read at start-up, shared by every request: never changed here)."""
        self.document = document

    def get(self) -> None:
        """Answer the document; ``public, no-cache`` with tornado's ETag, so 304 when unchanged."""
        # The document says /hub (a hub at the server's root); a hub under a base
        # URL serves its paths below that (JupyterHub's hub.base_url, e.g.
        # /prefix/hub/), and a client should call there.
        hub_prefix: str = self.hub.base_url
        servers = [{"url": hub_prefix.rstrip("/"), "description": "this hub"}]
        # Revalidated each time (cheap: tornado answers 304 on a matching
        # ETag), so a client never keeps the document of an older version.
        self.set_header("Cache-Control", "public, no-cache")
        self.finish({**self.document, "servers": servers})
