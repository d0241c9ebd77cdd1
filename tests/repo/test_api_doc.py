"""docs/api.md says what the gateway's OpenAPI document says: the same operations, the same
shapes with the same members, only statuses and parameters the operation has."""

import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_gateway.main import create_app
from asgi_lifespan import LifespanManager

REPO = Path(__file__).resolve().parents[2]
API_DOC = REPO / "docs" / "api.md"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# A table row naming an operation: | GET | `/api/orders` | result |
OPERATION_ROW = re.compile(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \| (.*) \|$")
# A line naming a shape and its members: `Order`: `id`, `status`, ...
SHAPE_LINE = re.compile(r"^`([A-Z]\w*)`: (.*)$")
# Served by the gateway outside its OpenAPI document (the document itself and its viewers).
OUTSIDE_OPENAPI = {
    ("GET", "/metrics"),
    ("GET", "/docs"),
    ("GET", "/redoc"),
    ("GET", "/openapi.json"),
}


@cache
def openapi() -> dict[str, Any]:
    document: dict[str, Any] = create_app().openapi()
    return document


def openapi_operations() -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, item in openapi()["paths"].items()
        for method, operation in item.items()
        if method.upper() in METHODS
    }


def documented_operations() -> dict[tuple[str, str], str]:
    rows = {}
    for line in API_DOC.read_text().splitlines():
        if match := OPERATION_ROW.match(line):
            method, path, result = match.groups()
            assert (method, path) not in rows, f"{method} {path} is documented twice"
            rows[(method, path)] = result
    return rows


def members(description: str) -> list[str]:
    """The backticked names of a shape line, leaving out what parentheses say about them."""
    while (shorter := re.sub(r"\([^()]*\)", "", description)) != description:
        description = shorter
    return re.findall(r"`([^`]+)`", description)


def documented_shapes() -> dict[str, set[str]]:
    shapes: dict[str, set[str]] = {}
    for line in API_DOC.read_text().splitlines():
        if match := SHAPE_LINE.match(line):
            name, description = match.groups()
            names = members(description)
            if description.startswith("the members of `"):
                base, *more = names
                shapes[name] = shapes[base] | set(more)
            else:
                shapes[name] = set(names)
    return shapes


def test_every_operation_of_the_gateway_is_documented_and_nothing_else() -> None:
    documented = set(documented_operations())
    published = set(openapi_operations())
    assert published - documented == set(), "in the OpenAPI document, missing from docs/api.md"
    assert documented - published == OUTSIDE_OPENAPI


async def test_what_is_served_outside_the_openapi_document_is_served() -> None:
    async with LifespanManager(create_app()) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            for _, path in sorted(OUTSIDE_OPENAPI):
                assert (await client.get(path)).status_code == 200, path


def test_every_shape_is_documented_with_its_members() -> None:
    schemas = openapi()["components"]["schemas"]
    shapes = documented_shapes()
    assert set(schemas) - set(shapes) == set(), "shapes missing from docs/api.md"
    assert set(shapes) - set(schemas) == set(), "docs/api.md names shapes the API lacks"
    for name, schema in schemas.items():
        expected = set(schema.get("enum", [])) or set(schema.get("properties", {}))
        assert shapes[name] == expected, name


@pytest.mark.parametrize("operation", sorted(documented_operations()), ids=" ".join)
def test_each_documented_status_and_parameter_is_the_operations(operation: tuple[str, str]) -> None:
    if operation in OUTSIDE_OPENAPI:
        return
    result = documented_operations()[operation]
    published = openapi_operations()[operation]
    statuses = set(re.findall(r"\b[1-5]\d\d\b", result))
    assert statuses, "say what the operation answers"
    assert statuses <= set(published["responses"]), "statuses the operation does not declare"

    parameters = published.get("parameters", [])
    query = {p["name"] for p in parameters if p["in"] == "query"}
    documented_query = re.search(r"`\?([\w&]+)", result)
    assert set(documented_query.group(1).split("&") if documented_query else ()) == query
    for header in (p["name"] for p in parameters if p["in"] == "header"):
        assert header.lower() in result.lower(), f"the {header} header"


def test_the_parsers_read_what_they_claim() -> None:
    assert members("`a`, `b` (each a `C`), `d` (`x` or `y`)") == ["a", "b", "d"]
    assert OPERATION_ROW.match("| GET | `/api/x` | 200 `X` |")
    assert not OPERATION_ROW.match("| 404 | no such resource |")
