"""At the edge of every component: the media types a body may come in, its size, the security
headers, the 405's Allow, and readiness that names no address."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from chassis import ServiceSettings, Storage, create_app
from chassis.health import NotReadyError
from fastapi import APIRouter, FastAPI, Request
from orderflow_testing import app_client
from pydantic import BaseModel

FORM = "application/x-www-form-urlencoded"


class Note(BaseModel):
    text: str


router = APIRouter()
written: list[Any] = []


@router.post("/notes", status_code=201)
async def create_note(note: Note) -> Note:
    written.append(note)
    return note


@router.get("/notes")
async def list_notes() -> list[str]:
    return []


@router.patch("/notes/{note_id}")
async def update_note(note_id: int, note: Note) -> Note:
    written.append(note)
    return note


@router.post(
    "/token",
    openapi_extra={"requestBody": {"content": {FORM: {"schema": {"type": "object"}}}}},
)
async def token(request: Request) -> dict[str, str]:
    """Takes a form, as an OAuth 2.0 token endpoint does (RFC 6749)."""
    written.append(await request.body())
    return {"ok": "yes"}


@router.post(
    "/logout",
    openapi_extra={
        "requestBody": {"required": False, "content": {FORM: {"schema": {"type": "object"}}}}
    },
)
async def logout(request: Request) -> dict[str, str]:
    """Takes a form, or nothing at all (a browser's sign-out says it all in its cookie)."""
    written.append(await request.body())
    return {"ok": "yes"}


@router.get("/private/things")
async def private_thing() -> dict[str, str]:
    return {"email": "ada@example.com"}


@router.get("/private/cacheable")
async def cacheable() -> Any:
    from fastapi.responses import JSONResponse

    return JSONResponse({"keys": []}, headers={"Cache-Control": "public, max-age=60"})


def edge_app(**settings: Any) -> FastAPI:
    app = create_app(
        ServiceSettings(access_log=False, tracing=False, **settings),
        title="edge",
        routers=[router],
        private_paths=("/private",),
    )

    async def database_down() -> dict[str, Any]:
        raise OSError("could not connect to server at 10.1.2.3:5432: Connection refused")

    async def customer_gone() -> dict[str, Any]:
        raise NotReadyError("The customer service is unreachable.")

    app.state.extra_checks = {"database": database_down, "customer": customer_gone}
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    written.clear()
    async with app_client(edge_app()) as client:
        yield client


NOT_JSON = [
    pytest.param({}, id="no content type"),
    pytest.param({"Content-Type": "text/plain"}, id="text/plain"),
    pytest.param({"Content-Type": FORM}, id="form"),
    pytest.param({"Content-Type": "multipart/form-data; boundary=x"}, id="multipart"),
    pytest.param({"Content-Type": "application/json; charset=latin-1"}, id="not utf-8"),
    pytest.param({"Content-Type": "json"}, id="malformed"),
]


@pytest.mark.parametrize("headers", NOT_JSON)
async def test_a_body_not_sent_as_json_is_415_and_nothing_is_written(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post("/notes", content=b'{"text": "hi"}', headers=headers)

    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:orderflow:problem:unsupported-media-type"
    assert response.headers["accept-post"] == "application/json"
    assert written == []


async def test_a_patch_says_what_it_accepts(client: httpx.AsyncClient) -> None:
    response = await client.patch("/notes/1", content=b'{"text": "hi"}')

    assert response.status_code == 415
    assert response.headers["accept-patch"] == "application/json"


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "Application/JSON; charset=UTF-8", "application/merge-patch+json"],
)
async def test_json_in_any_spelling_is_taken(client: httpx.AsyncClient, content_type: str) -> None:
    response = await client.post(
        "/notes", content=b'{"text": "hi"}', headers={"Content-Type": content_type}
    )

    assert response.status_code == 201
    assert len(written) == 1


async def test_a_route_that_declares_a_form_takes_a_form_and_only_that(
    client: httpx.AsyncClient,
) -> None:
    form = await client.post(
        "/token", content=b"grant_type=password", headers={"Content-Type": FORM}
    )
    as_json = await client.post("/token", json={"grant_type": "password"})

    assert form.status_code == 200
    assert as_json.status_code == 415
    assert as_json.headers["accept-post"] == FORM
    assert written == [b"grant_type=password"]


async def test_an_optional_form_may_be_left_out_but_not_sent_as_json(
    client: httpx.AsyncClient,
) -> None:
    nothing = await client.post("/logout")
    as_json = await client.post("/logout", json={"refresh_token": "x"})
    form = await client.post("/logout", content=b"refresh_token=x", headers={"Content-Type": FORM})

    assert nothing.status_code == 200
    assert as_json.status_code == 415
    assert form.status_code == 200
    assert written == [b"", b"refresh_token=x"]


async def test_a_request_without_a_body_needs_no_content_type(client: httpx.AsyncClient) -> None:
    assert (await client.get("/notes")).status_code == 200


async def test_a_body_over_the_limit_is_413_whether_declared_or_streamed() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b" " * 1024

    written.clear()
    async with app_client(edge_app(max_body_bytes=16 * 1024)) as client:
        declared = await client.post(
            "/notes", content=b" " * (17 * 1024), headers={"Content-Type": "application/json"}
        )
        streamed = await client.post(
            "/notes", content=chunks(), headers={"Content-Type": "application/json"}
        )

    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["type"] == "urn:orderflow:problem:body-too-large"
    assert written == []


async def test_every_answer_says_nosniff_and_private_ones_no_store(
    client: httpx.AsyncClient,
) -> None:
    public = await client.get("/notes")
    private = await client.get("/private/things")
    refused = await client.get("/private/nothing-here")
    own_policy = await client.get("/private/cacheable")

    for response in (public, private, refused, own_policy):
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in public.headers
    assert private.headers["cache-control"] == "no-store"
    assert refused.headers["cache-control"] == "no-store"  # errors may hold personal data too
    assert own_policy.headers["cache-control"] == "public, max-age=60"


async def test_a_405_lists_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    response = await client.delete("/notes")

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}


async def test_readiness_shows_public_reasons_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = edge_app()
    async with app_client(app) as client:
        app.state.readiness_checks.update(app.state.extra_checks)
        response = await client.get("/readyz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["reason"] == "unavailable"
    assert checks["customer"]["reason"] == "The customer service is unreachable."
    assert "10.1.2.3" not in response.text
    assert "10.1.2.3" in capsys.readouterr().out  # the log keeps the detail


async def test_a_database_that_cannot_serve_is_a_503_without_its_words() -> None:
    import sqlalchemy.exc

    busy = APIRouter()

    @busy.get("/busy")
    async def pool_exhausted() -> None:
        raise sqlalchemy.exc.TimeoutError("QueuePool limit of size 10 overflow 0 reached")

    @busy.get("/gone")
    async def database_gone() -> None:
        raise sqlalchemy.exc.OperationalError(
            "SELECT 1", {}, OSError("connect to 10.1.2.3:5432 refused")
        )

    # A service with a database (in memory, no migrations needed here).
    storage = Storage(migrations=Path("unused"), version_table="unused")
    settings = ServiceSettings(access_log=False, migrate_on_startup=False)
    app = create_app(settings, title="db", routers=[busy], storage=storage)
    async with app_client(app) as client:
        responses = [await client.get("/busy"), await client.get("/gone")]

    for response in responses:
        assert response.status_code == 503
        assert response.json()["type"] == "urn:orderflow:problem:database-busy"
        assert response.headers["retry-after"] == "1"
        assert "QueuePool" not in response.text
        assert "10.1.2.3" not in response.text
        assert "SELECT" not in response.text


async def test_a_literal_path_allows_only_its_own_methods_not_a_templates() -> None:
    paths = APIRouter()

    @paths.get("/things/stats")
    async def stats() -> None: ...

    @paths.get("/things/{thing_id}")
    async def get_thing(thing_id: str) -> None: ...

    @paths.patch("/things/{thing_id}")
    async def patch_thing(thing_id: str) -> None: ...

    app = create_app(ServiceSettings(access_log=False, tracing=False), title="t", routers=[paths])
    async with app_client(app) as client:
        literal = await client.delete("/things/stats")
        templated = await client.delete("/things/1")

    assert literal.headers["allow"] == "GET"
    assert templated.headers["allow"] == "GET, PATCH"


@pytest.mark.parametrize("query", ["q=%ED%A0%80", "q=%FF", "q=a%C3"])
async def test_a_query_that_is_not_utf8_is_a_400(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"/notes?{query}")

    assert response.status_code == 400
    assert response.json()["type"] == "urn:orderflow:problem:malformed-query"


async def test_a_query_in_utf8_passes(client: httpx.AsyncClient) -> None:
    assert (await client.get("/notes?q=%C3%A9t%C3%A9+%E2%82%AC")).status_code == 200
