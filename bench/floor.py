"""The floor: the least a Python gateway on uvicorn and aiohttp can do for a proxied GET.

A raw ASGI app, no framework, no middleware, no logging, no metrics: it sends the path to the
customer or order service over one pooled aiohttp session and writes back status, content type
and body. It is not a gateway (no errors, limits or observability); it is measured beside ours
(``python -m bench --floor``) to tell the cost of our gateway's features from the cost of the
stack it is built on.

    BENCH_FLOOR_PORT=9000 BENCH_FLOOR_CUSTOMER=http://127.0.0.1:8001 \\
        BENCH_FLOOR_ORDER=http://127.0.0.1:8002 python -m bench.floor
"""

from __future__ import annotations

import os
from typing import Any

import aiohttp
import uvicorn

UPSTREAMS = {
    "/api/customers": os.environ.get("BENCH_FLOOR_CUSTOMER", "http://127.0.0.1:8001"),
    "/api/orders": os.environ.get("BENCH_FLOOR_ORDER", "http://127.0.0.1:8002"),
}
sessions: dict[str, aiohttp.ClientSession] = {}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        for session in sessions.values():
            await session.close()
        await send({"type": "lifespan.shutdown.complete"})
        return
    path: str = scope["path"]
    if path == "/readyz":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})
        return
    prefix = "/api/customers" if path.startswith("/api/customers") else "/api/orders"
    session = sessions.get(prefix)
    if session is None:
        session = sessions[prefix] = aiohttp.ClientSession(UPSTREAMS[prefix])
    query = scope["query_string"].decode()
    target = path.removeprefix("/api") + (f"?{query}" if query else "")
    # The caller's token goes on, as the gateway passes it: the services verify it.
    authorization = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
    async with session.get(target, headers={"Authorization": authorization.decode()}) as response:
        body = await response.read()
        content_type = response.headers.get("content-type", "application/json").encode()
    await send(
        {
            "type": "http.response.start",
            "status": response.status,
            "headers": [(b"content-type", content_type), (b"content-length", b"%d" % len(body))],
        }
    )
    await send({"type": "http.response.body", "body": body})


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["BENCH_FLOOR_PORT"]),
        log_level="warning",
        access_log=False,
        server_header=False,
    )
