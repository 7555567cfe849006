"""The OpenAPI document: valid OpenAPI 3.1, true to the routes, and served by the hub."""

import json
import re
from urllib.parse import urlsplit

import pytest
import requests
from jupyterhub.apihandlers import APIHandler
from openapi_spec_validator import OpenAPIV31SpecValidator

from stellars_testing import HubSession
from stellars_ui import extra_handlers
from stellars_ui.handlers.openapi import load_openapi

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# The route's group names -> the document's path parameters (JupyterHub's own API says {name}).
PARAMETER_OF_GROUP = {"user_name": "name", "volume": "volume"}


def document_path(route):
    """Return the OpenAPI path of a route pattern: named groups become {parameters}."""
    path = re.sub(
        r"\(\?P<(\w+)>[^)]*\)", lambda group: f"{{{PARAMETER_OF_GROUP[group[1]]}}}", route
    )
    return re.sub(r"\\(.)", r"\1", path)  # an escaped character stands for itself


def implemented_methods(handler_class):
    """Return the HTTP methods *handler_class* answers: those it overrides of APIHandler's."""
    return {
        method
        for method in HTTP_METHODS
        if getattr(handler_class, method) is not getattr(APIHandler, method)
    }


def api_routes():
    """Return {document path: handler class} for every routed /api/ endpoint."""
    routes = {}
    for route, handler_class, *_ in extra_handlers():
        if route.startswith("/api/"):
            routes[document_path(route)] = handler_class
    return routes


@pytest.fixture(scope="module")
def document():
    return load_openapi()


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    # Every error at once, so that one run shows everything to fix.
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []
    # Served as JSON: nothing in it may be a YAML-only type (an unquoted date, say).
    assert json.loads(json.dumps(document)) == document


def null_keys(node, path=()):
    """Yield the path of every mapping key whose value is null, outside examples."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"example", "examples"}:
                continue
            if value is None:
                yield "/".join(map(str, (*path, key)))
            yield from null_keys(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from null_keys(value, (*path, index))


def test_no_yaml_slip_hides_in_the_document(document):
    # An unquoted comma in a flow mapping ({description: why not, when not ok})
    # makes a key with a null value; JSON Schema ignores unknown keywords, so
    # the validator cannot see it.
    assert list(null_keys(document)) == []


def test_every_api_route_is_documented_with_exactly_its_methods(document):
    routes = api_routes()
    assert routes, "extra_handlers() has no /api/ route"
    documented = {
        path: {method for method in item if method in HTTP_METHODS}
        for path, item in document["paths"].items()
    }
    missing = sorted(set(routes) - set(documented))
    assert missing == [], f"routed but not in openapi.yaml: {missing}"
    unrouted = sorted(set(documented) - set(routes))
    assert unrouted == [], f"in openapi.yaml but not routed: {unrouted}"
    for path, handler_class in routes.items():
        assert documented[path] == implemented_methods(handler_class), path


def test_every_operation_names_its_scopes_and_its_errors(document):
    public = {"/api/stellars/health", "/api/stellars/openapi.json"}
    for path, item in document["paths"].items():
        for method in set(item) & set(HTTP_METHODS):
            operation = item[method]
            where = f"{method.upper()} {path}"
            assert "x-scopes" in operation, where
            if path in public:
                assert operation["security"] == [], where
                assert operation["x-scopes"] == [], where
                continue
            # Not public: the document-wide security applies, and a scope is needed.
            assert "security" not in operation, where
            assert operation["x-scopes"], where
            assert "403" in operation["responses"], where


def test_the_hub_serves_the_document_to_anyone(ui_hub, ui_password, document):
    url = ui_hub.hub_url("api/stellars/openapi.json")
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Cache-Control"] == "public, no-cache"
    served = response.json()
    # The same document, its servers pointing at this hub's prefix.
    hub_prefix = urlsplit(ui_hub.hub_url()).path.rstrip("/")
    assert served["servers"] == [{"url": hub_prefix, "description": "this hub"}]
    assert {**served, "servers": document["servers"]} == document
    # Revalidation costs no body.
    again = requests.get(url, headers={"If-None-Match": response.headers["ETag"]}, timeout=30)
    assert again.status_code == 304
    # A logged-in browser gets it too (its cookie is neither needed nor in the way).
    browser = HubSession(ui_hub)
    browser.log_in("reader", ui_password)
    assert browser.get(url, timeout=30).json() == served
