"""The production transport against real sockets on 127.0.0.1: what each failure becomes."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from api_gateway.transports import AiohttpTransport
from api_gateway.upstream import (
    UpstreamBadResponseError,
    UpstreamConnectError,
    UpstreamTimeoutError,
)
from orderflow_testing import free_port

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
OK = (
    b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nLocation: /x/1\r\n"
    b'Content-Length: 11\r\n\r\n{"id": "1"}'
)


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return head + (await reader.readexactly(length) if length else b"")


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    servers: list[asyncio.Server] = []

    async def start(handler: Handler) -> str:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    yield start
    for server in servers:
        server.close()


def transport(url: str, read_timeout: float = 2.0) -> AiohttpTransport:
    return AiohttpTransport(url, connect_timeout=0.5, read_timeout=read_timeout)


async def test_sends_the_request_and_returns_status_headers_and_bytes(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    received: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await read_request(reader))
        writer.write(OK)
        await writer.drain()
        writer.close()

    client = transport(await serve(handler))
    try:
        response = await client.send(
            "POST", "/x?a=1", {"X-Request-ID": "r-1", "Content-Type": "application/json"}, b"{}"
        )
    finally:
        await client.aclose()

    assert response.status == 201
    assert response.headers["location"] == "/x/1"
    assert response.body == b'{"id": "1"}'
    request = received[0]
    assert request.startswith(b"POST /x?a=1 HTTP/1.1\r\n")
    assert b"X-Request-ID: r-1\r\n" in request
    assert request.endswith(b"\r\n\r\n{}")


async def test_a_refused_connection_is_a_connect_error() -> None:
    client = transport(f"http://127.0.0.1:{free_port()}")
    try:
        with pytest.raises(UpstreamConnectError):
            await client.send("GET", "/", {}, None)
    finally:
        await client.aclose()


async def test_silence_past_the_read_timeout_is_a_timeout(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.Event().wait()  # silent for good: only the client's timeout ends the call

    client = transport(await serve(handler), read_timeout=0.2)
    try:
        with pytest.raises(UpstreamTimeoutError):
            await client.send("GET", "/", {}, None)
    finally:
        await client.aclose()


async def test_a_connection_dropped_mid_answer_is_a_bad_response(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial')
        await writer.drain()
        writer.close()

    client = transport(await serve(handler))
    try:
        with pytest.raises(UpstreamBadResponseError):
            await client.send("POST", "/", {}, b"{}")
    finally:
        await client.aclose()


async def test_connections_are_pooled_and_reused(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    connections = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                break
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
            await writer.drain()
        writer.close()

    client = transport(await serve(handler))
    try:
        for _ in range(5):
            assert (await client.send("GET", "/", {}, None)).status == 200
    finally:
        await client.aclose()
    assert connections == 1


async def _answer_ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(OK)
    await writer.drain()
    writer.close()


async def test_an_answer_over_the_size_limit_is_not_read(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    url = await serve(_answer_ok)
    client = AiohttpTransport(url, connect_timeout=0.5, read_timeout=2, max_response_bytes=10)
    try:
        with pytest.raises(UpstreamBadResponseError, match="over the limit"):
            await client.send("GET", "/", {}, None)
    finally:
        await client.aclose()


async def test_answers_are_paid_for_from_the_budget_and_wait_when_it_is_spent(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    from api_gateway.budget import BufferBudget, _held
    from api_gateway.upstream import UpstreamSaturatedError

    url = await serve(_answer_ok)
    budget = BufferBudget(11)  # one answer's worth
    client = AiohttpTransport(
        url, connect_timeout=0.5, read_timeout=2, budget=budget, budget_timeout=0.05
    )
    held: list[int] = []
    token = _held.set(held)  # as ReleaseBuffersMiddleware does for a request
    try:
        assert (await client.send("GET", "/", {}, None)).status == 201
        assert held == [11]
        with pytest.raises(UpstreamSaturatedError):
            await client.send("GET", "/", {}, None)  # its answer has nowhere to go

        budget.release(sum(held))  # the first answer has been sent to its client
        assert (await client.send("GET", "/", {}, None)).status == 201
    finally:
        _held.reset(token)
        await client.aclose()
