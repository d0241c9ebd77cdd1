"""What create_app gives every service: request ids, problem+json, metrics, health."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from chassis import ProblemError, ServiceSettings, create_app, outgoing_headers
from fastapi import APIRouter
from orderflow_testing import app_client
from pydantic import BaseModel


class Widget(BaseModel):
    name: str
    size: int


class WidgetMissingError(Exception):
    pass


router = APIRouter()


@router.post("/widgets")
async def create_widget(widget: Widget) -> dict[str, object]:
    return {"widget": widget.model_dump(), "forwarded": outgoing_headers()}


@router.get("/missing")
async def missing() -> None:
    raise WidgetMissingError("No such widget.")


@router.get("/teapot")
async def teapot() -> None:
    raise ProblemError(418, "Short and stout.", slug="teapot", headers={"Retry-After": "5"})


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("secret internals")


@router.get("/widgets/stats")
async def widget_stats() -> dict[str, int]:
    return {"total": 0}


@router.get("/widgets/{widget_id}")
async def get_widget(widget_id: uuid.UUID) -> dict[str, str]:
    return {"id": str(widget_id)}


@router.patch("/widgets/{widget_id}")
async def patch_widget(widget_id: uuid.UUID) -> dict[str, str]:
    return {"id": str(widget_id)}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        ServiceSettings(service_name="widgets", access_log=False, tracing=False),
        title="widgets",
        routers=[router],
        problem_map={WidgetMissingError: (404, "widget-not-found")},
    )
    async with app_client(
        app,
    ) as client:
        yield client


async def test_request_id_is_generated_returned_and_passed_on(client: httpx.AsyncClient) -> None:
    response = await client.post("/widgets", json={"name": "w", "size": 1})

    request_id = response.headers["x-request-id"]
    assert len(request_id) == 32
    assert response.json()["forwarded"] == {"X-Request-ID": request_id}


async def test_a_callers_request_id_is_kept(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})

    assert response.headers["x-request-id"] == "abc-123"


async def test_an_unsafe_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "a b<script>"})

    assert response.headers["x-request-id"] != "a b<script>"


async def test_validation_errors_are_problems_listing_each_field(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/widgets", json={"size": "big"})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:orderflow:problem:validation-error"
    assert {(e["location"], e["field"]) for e in body["errors"]} == {
        ("body", "name"),
        ("body", "size"),
    }


async def test_domain_errors_map_to_their_status(client: httpx.AsyncClient) -> None:
    response = await client.get("/missing")

    assert response.status_code == 404
    assert response.json() == {
        "type": "urn:orderflow:problem:widget-not-found",
        "title": "Widget not found",
        "status": 404,
        "detail": "No such widget.",
        "instance": "/missing",
    }


async def test_problem_errors_keep_their_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/teapot")

    assert response.status_code == 418
    assert response.headers["retry-after"] == "5"


async def test_unknown_paths_and_methods_are_problems(client: httpx.AsyncClient) -> None:
    not_found = await client.get("/nowhere")
    not_allowed = await client.delete("/widgets")

    assert (not_found.status_code, not_allowed.status_code) == (404, 405)
    assert not_found.headers["content-type"] == "application/problem+json"


async def test_unexpected_errors_are_500_problems_without_internals() -> None:
    app = create_app(ServiceSettings(access_log=False, tracing=False), title="w", routers=[router])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text


async def test_readiness_without_dependencies_is_ready(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {}}


@pytest.mark.parametrize("method", ["PATCH", "POST", "DELETE"])
async def test_a_literal_path_answers_405_for_a_method_it_does_not_serve(
    client: httpx.AsyncClient, method: str
) -> None:
    """Not a call of the templated route that also matches it, with "stats" for an id."""
    response = await client.request(method, "/widgets/stats")
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get("/widgets/stats")).json() == {"total": 0}


async def test_the_templated_route_still_answers_its_own_paths(client: httpx.AsyncClient) -> None:
    widget_id = str(uuid.uuid4())
    assert (await client.patch(f"/widgets/{widget_id}")).json() == {"id": widget_id}
    assert (await client.patch("/widgets/not-an-id")).status_code == 422
    assert (await client.delete(f"/widgets/{widget_id}")).headers["allow"] == "GET, PATCH"
