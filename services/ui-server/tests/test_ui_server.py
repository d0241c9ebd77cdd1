"""The UI server against a built app in a temporary folder and a stand-in gateway on a real port."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from ui_server import Settings, create_app
from ui_server.app import CONTENT_SECURITY_POLICY, IMMUTABLE

Client = TestClient[web.Request, web.Application]
INDEX = b"<!doctype html><title>OrderFlow</title><div id=root></div>"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "assets" / "index-abc123.js").write_text("console.log('app')")
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside")
    return root


async def _gateway_handler(request: web.Request) -> web.StreamResponse:
    if request.path == "/api/stream":
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        for part in (b"one ", b"two ", b"three"):
            await response.write(part)
        return response
    body = await request.read()
    return web.json_response(
        {
            "method": request.method,
            "path": request.path_qs,
            "body": body.decode(),
            "authorization": request.headers.get("Authorization"),
            "forwarded_for": request.headers.get("X-Forwarded-For"),
            "connection": request.headers.get("Connection"),
        },
        status=201 if request.method == "POST" else 200,
        headers={"X-Request-Id": "abc", "Cache-Control": "no-store"},
    )


@pytest.fixture
async def gateway() -> AsyncIterator[TestServer]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _gateway_handler)
    async with TestServer(app) as server:
        yield server


@pytest.fixture
async def client(dist: Path, gateway: TestServer) -> AsyncIterator[Client]:
    settings = Settings(gateway_url=str(gateway.make_url("")).rstrip("/"), dist=dist)
    async with TestClient(TestServer(create_app(settings))) as test_client:
        yield test_client


async def test_the_app_with_its_security_headers_and_revalidated(client: Client) -> None:
    response = await client.get("/")
    assert response.status == 200
    assert await response.read() == INDEX
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-cache"


async def test_client_side_routes_answer_with_the_app(client: Client) -> None:
    for path in ("/customers", "/orders/123/edit", "/lab"):
        response = await client.get(path)
        assert response.status == 200, path
        assert await response.read() == INDEX
        assert response.headers["Cache-Control"] == "no-cache"


async def test_fingerprinted_assets_are_cached_for_good(client: Client) -> None:
    response = await client.get("/assets/index-abc123.js")
    assert response.status == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert "javascript" in response.headers["Content-Type"]
    favicon = await client.get("/favicon.svg")
    assert favicon.headers["Content-Type"] == "image/svg+xml"
    assert favicon.headers["Cache-Control"] == "no-cache"


async def test_a_missing_file_is_a_404_not_the_app(client: Client) -> None:
    for path in ("/assets/gone-123.js", "/missing.png"):
        response = await client.get(path)
        assert response.status == 404, path
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt", "/..%2fsecret.txt"]
)
async def test_nothing_outside_the_app_folder_is_served(client: Client, path: str) -> None:
    response = await client.get(path)
    assert b"outside" not in await response.read()
    assert response.status in (200, 404)


async def test_only_reads_outside_api(client: Client) -> None:
    response = await client.post("/customers", data=b"x")
    assert response.status == 405
    assert response.headers["Allow"] == "GET,HEAD"


async def test_its_own_health_answers(client: Client) -> None:
    assert (await (await client.get("/healthz")).json()) == {"status": "ok"}
    assert (await (await client.get("/readyz")).json()) == {"status": "ready"}


async def test_api_goes_to_the_gateway_as_it_came(client: Client) -> None:
    response = await client.post(
        "/api/customers?limit=5&q=a%20b",
        data=b'{"name": "Ada"}',
        headers={"Authorization": "Bearer t", "Content-Type": "application/json"},
    )
    assert response.status == 201
    seen = await response.json()
    assert seen["method"] == "POST"
    assert seen["path"] == "/api/customers?limit=5&q=a%20b"
    assert seen["body"] == '{"name": "Ada"}'
    assert seen["authorization"] == "Bearer t"
    assert seen["forwarded_for"] == "127.0.0.1"
    assert seen["connection"] != "close"  # hop-by-hop headers are not passed on
    # The gateway's headers come back, and the UI's own are not added to its answers.
    assert response.headers["X-Request-Id"] == "abc"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" not in response.headers


async def test_api_answers_stream_through(client: Client) -> None:
    response = await client.get("/api/stream")
    assert await response.read() == b"one two three"


async def test_no_gateway_is_a_502_problem(dist: Path) -> None:
    from orderflow_testing import free_port

    settings = Settings(gateway_url=f"http://127.0.0.1:{free_port()}", dist=dist)
    async with TestClient(TestServer(create_app(settings))) as test_client:
        response = await test_client.get("/api/dashboard")
        assert response.status == 502
        assert response.headers["Content-Type"] == "application/problem+json"
        problem = await response.json()
        assert problem["status"] == 502
        assert "127.0.0.1" not in await response.text()


def test_the_ui_server_loads_no_web_framework_database_or_http_client_of_the_services() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from ui_server.app import create_app, Settings; create_app(Settings()); "
        "print([m for m in ('fastapi', 'starlette', 'sqlalchemy', 'httpx', 'pydantic', "
        "'opentelemetry') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
