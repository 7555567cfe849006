"""The OpenAPI document: valid OpenAPI 3.1, generated from the models, true to the routes."""

import importlib
import json
import pkgutil
import re
from urllib.parse import urlsplit

import pytest
import requests
from jupyterhub.apihandlers import APIHandler
from openapi_spec_validator import OpenAPIV31SpecValidator

import stellars_ui.handlers
from stellars_testing import HubSession
from stellars_ui import extra_handlers
from stellars_ui.api_routes import platform_api_routes
from stellars_ui.handlers.base import StellarsAPIHandler
from stellars_ui.openapi import REF, load_openapi

# Every route, the Docker ones included.
API_ROUTES = platform_api_routes(docker=True)

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# The route's group names -> the document's path parameters (JupyterHub's own API says {name}).
PARAMETER_OF_GROUP = {
    "user_name": "name",
    "volume": "volume",
    "group": "group",
    "broadcast": "broadcast",
}


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


def test_every_api_route_is_documented_with_exactly_its_methods(document):
    routes = api_routes()
    assert routes, "extra_handlers() has no /api/ route"
    documented = {
        path: {method for method in item if method in HTTP_METHODS}
        for path, item in document["paths"].items()
    }
    missing = sorted(set(routes) - set(documented))
    assert missing == [], f"routed but not in the document: {missing}"
    unrouted = sorted(set(documented) - set(routes))
    assert unrouted == [], f"in the document but not routed: {unrouted}"
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


def test_every_json_handler_has_a_contract_in_the_route_table():
    # A handler of the API that is not in the table would be neither routed
    # nor documented: the table is the one place an endpoint is declared.
    for module in pkgutil.iter_modules(stellars_ui.handlers.__path__):
        importlib.import_module(f"stellars_ui.handlers.{module.name}")
    handlers = {
        handler
        for handler in _subclasses(StellarsAPIHandler)
        if not handler.__name__.startswith("_")
    }
    in_table = {route.handler for route in API_ROUTES}
    assert sorted(h.__name__ for h in handlers - in_table) == []
    for route in API_ROUTES:
        assert {op.method for op in route.operations} == implemented_methods(route.handler)


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def test_the_schemas_are_the_models_schemas(document):
    schemas = document["components"]["schemas"]
    for route in API_ROUTES:
        for operation in route.operations:
            where = f"{operation.method.upper()} {route.path}"
            item = document["paths"][route.path][operation.method]
            if operation.request is not None:
                ref = item["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                assert ref == REF.format(model=operation.request.__name__), where
                generated = operation.request.model_json_schema(ref_template=REF, mode="validation")
                generated.pop("$defs", None)
                assert schemas[operation.request.__name__] == generated, where
            if operation.response is not None:
                ref = item["responses"]["200"]["content"]["application/json"]["schema"]
                assert ref == {"$ref": REF.format(model=operation.response.__name__)}, where
                generated = operation.response.model_json_schema(
                    ref_template=REF, mode="serialization"
                )
                generated.pop("$defs", None)
                assert schemas[operation.response.__name__] == generated, where


def keywords(node):
    """Yield every key of every mapping in *node*, however deep."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from keywords(value)
    elif isinstance(node, list):
        for value in node:
            yield from keywords(value)


def test_every_constraint_of_the_models_is_json_schema(document):
    # A constraint pydantic cannot express lands in the schema under its own
    # name ("ge": 1), which JSON Schema ignores: the document would allow
    # what the model refuses. OpenAPI's validator cannot see it.
    leaked = {"ge", "gt", "le", "lt", "min_length", "max_length", "strict"}
    assert leaked & set(keywords(document["components"]["schemas"])) == set()


def test_a_refused_body_names_the_field_through_the_proxy(ui_hub):
    ui_hub.create_user("ada")
    path = "users/ada/extend-session"
    answers = {
        "text": ui_hub.api("POST", path, json={"hours": "1"}),
        "too few": ui_hub.api("POST", path, json={"hours": 0}),
        "unknown": ui_hub.api("POST", path, json={"hours": 1, "admin": True}),
    }
    for answer in answers.values():
        assert answer.status_code == 400, answer.text
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.json()["status"] == 400
    assert answers["text"].json()["message"] == "hours: Input should be a valid integer"
    assert answers["too few"].json()["message"] == (
        "hours: Input should be greater than or equal to 1"
    )
    assert answers["unknown"].json()["message"] == "Unknown field 'admin'."


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
