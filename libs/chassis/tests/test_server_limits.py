"""The server's limits against slow and greedy clients, on a real socket (uvicorn in this loop).

The timeouts are set short here so the tests are quick; each test waits for the server's own
verdict (an answer or a closed connection), bounded only to keep a broken server from hanging
the suite.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from chassis import ServiceSettings, create_app
from chassis.server import guarded_protocol
from fastapi import APIRouter
from orderflow_testing import free_port
from pydantic import BaseModel

router = APIRouter()


class Echo(BaseModel):
    text: str


@router.post("/echo")
async def echo(body: Echo) -> Echo:
    return body


SETTINGS = ServiceSettings(
    access_log=False,
    tracing=False,
    server_header_timeout=0.5,
    server_body_timeout=0.5,
    server_max_header_bytes=2048,
)
GIVE_UP = 10.0  # a server that never answers fails the test instead of hanging it


@pytest.fixture
async def server() -> AsyncIterator[str]:
    app = create_app(SETTINGS, title="limits", routers=[router])
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        http=guarded_protocol(SETTINGS),
        lifespan="on",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(1000):
        if server.started:
            break
        await asyncio.sleep(0.01)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    await task


async def connect(address: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = address.split(":")
    return await asyncio.open_connection(host, int(port))


async def read_verdict(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection."""
    return await asyncio.wait_for(reader.read(), GIVE_UP)


async def test_a_connection_that_sends_nothing_is_closed(server: str) -> None:
    reader, writer = await connect(server)

    verdict = await read_verdict(reader)

    assert verdict.startswith(b"HTTP/1.1 408 ")
    writer.close()


async def test_headers_trickled_a_byte_at_a_time_do_not_hold_the_connection(server: str) -> None:
    reader, writer = await connect(server)

    async def trickle() -> None:
        with contextlib.suppress(ConnectionError):
            for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.05)

    dripping = asyncio.create_task(trickle())
    verdict = await read_verdict(reader)
    dripping.cancel()

    assert verdict.startswith(b"HTTP/1.1 408 ")
    assert b"application/problem+json" in verdict
    writer.close()


async def test_a_body_that_trickles_in_is_cut_off(server: str) -> None:
    reader, writer = await connect(server)
    writer.write(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{"
    )
    await writer.drain()

    verdict = await read_verdict(reader)

    assert verdict.startswith(b"HTTP/1.1 408 ")
    writer.close()


async def test_headers_larger_than_the_limit_are_431(server: str) -> None:
    reader, writer = await connect(server)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 4096 + b"\r\n\r\n")
    await writer.drain()

    verdict = await read_verdict(reader)

    assert verdict.startswith(b"HTTP/1.1 431 ")
    writer.close()


async def test_slow_clients_do_not_keep_others_from_being_served(server: str) -> None:
    idle = [await connect(server) for _ in range(20)]

    async with httpx.AsyncClient(base_url=f"http://{server}") as client:
        health = await asyncio.wait_for(client.get("/healthz"), GIVE_UP)
        posted = await client.post("/echo", json={"text": "hi"})

    assert health.status_code == 200
    assert posted.json() == {"text": "hi"}
    verdicts = await asyncio.gather(*(read_verdict(reader) for reader, _ in idle))
    assert all(v.startswith(b"HTTP/1.1 408 ") for v in verdicts)
    for _, writer in idle:
        writer.close()


async def test_a_kept_alive_connection_serves_a_second_request(server: str) -> None:
    async with httpx.AsyncClient(base_url=f"http://{server}") as client:
        first = await client.get("/healthz")
        await asyncio.sleep(0.2)  # shorter than the keep-alive, not longer than a head
        second = await client.get("/healthz")

    assert (first.status_code, second.status_code) == (200, 200)
