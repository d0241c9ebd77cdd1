"""The UI's server: static files with their headers, the app's fallback, and the /api proxy."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import (
    ClientError,
    ClientSession,
    ClientTimeout,
    DummyCookieJar,
    TCPConnector,
    hdrs,
    web,
)
from multidict import CIMultiDict

# Everything from this origin only; no inline script, no framing, no plugins. The app's
# styles are a stylesheet and React sets element styles through the DOM (which CSP allows).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
# Vite puts a content hash in every name under /assets: a new build is a new name.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Headers of one hop, never passed on (RFC 9110 7.6.1), and what the proxy sets itself.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)
PROXIED = ("/api",)
PROBLEM_CONTENT_TYPE = "application/problem+json"
BAD_GATEWAY = json.dumps(
    {
        "type": "about:blank",
        "title": "Bad Gateway",
        "status": 502,
        "detail": "No answer from the gateway.",
    }
).encode()
GATEWAY_TIMEOUT = ClientTimeout(total=None, sock_connect=5, sock_read=120)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 5173
    gateway_url: str = "http://127.0.0.1:8000"
    dist: Path = Path("frontend/dist")

    @classmethod
    def from_environment(cls) -> Settings:
        env = os.environ
        return cls(
            host=env.get("FRONTEND_HOST", cls.host),
            port=int(env.get("FRONTEND_PORT", cls.port)),
            gateway_url=env.get("ORDERFLOW_GATEWAY_URL", cls.gateway_url).rstrip("/"),
            dist=Path(env.get("FRONTEND_DIST", str(cls.dist))),
        )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SETTINGS = web.AppKey("settings", Settings)
CLIENT = web.AppKey("client", ClientSession)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[_security_headers])
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_gateway_client)
    app.router.add_get("/healthz", _status("ok"))
    app.router.add_get("/readyz", _status("ready"))
    for prefix in PROXIED:
        app.router.add_route("*", prefix, _proxy)
        app.router.add_route("*", prefix + "/{tail:.*}", _proxy)
    app.router.add_route("*", "/{path:.*}", _static)
    return app


async def _gateway_client(app: web.Application) -> AsyncIterator[None]:
    # No decompression: bodies pass through as the gateway encoded them, with their headers.
    connector = TCPConnector(limit=100, keepalive_timeout=30)
    async with ClientSession(
        connector=connector,
        timeout=GATEWAY_TIMEOUT,
        auto_decompress=False,
        cookie_jar=DummyCookieJar(),  # the browser's cookies are the browser's
    ) as client:
        app[CLIENT] = client
        yield


@web.middleware
async def _security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path == "/api" or request.path.startswith("/api/"):
        return await handler(request)  # the gateway sets its own
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers.update(SECURITY_HEADERS)
        raise
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _status(word: str) -> Handler:
    async def handler(_: web.Request) -> web.StreamResponse:
        return web.json_response({"status": word}, headers={"Cache-Control": "no-store"})

    return handler


async def _static(request: web.Request) -> web.StreamResponse:
    if request.method not in ("GET", "HEAD"):
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
    dist = request.app[SETTINGS].dist.resolve()
    relative = request.match_info["path"]
    path = (dist / relative).resolve() if relative else dist / "index.html"
    if dist not in path.parents or not path.is_file():
        if relative.startswith("assets/") or "." in relative.rsplit("/", 1)[-1]:
            raise web.HTTPNotFound()  # a missing file, not a route of the app
        path = dist / "index.html"  # a client-side route: the app decides what it shows
    cache = IMMUTABLE if path.parent == dist / "assets" else REVALIDATE
    return web.FileResponse(path, headers={"Cache-Control": cache})


async def _proxy(request: web.Request) -> web.StreamResponse:
    settings = request.app[SETTINGS]
    headers = CIMultiDict(
        (name, value) for name, value in request.headers.items() if name.lower() not in HOP_BY_HOP
    )
    headers[hdrs.HOST] = request.host
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For")
    headers["X-Forwarded-For"] = f"{forwarded}, {peer}" if forwarded else peer
    headers["X-Forwarded-Proto"] = request.scheme
    url = settings.gateway_url + request.raw_path
    response: web.StreamResponse | None = None
    try:
        async with request.app[CLIENT].request(
            request.method,
            url,
            headers=headers,
            data=request.content if request.body_exists else None,
            allow_redirects=False,
        ) as upstream:
            response = web.StreamResponse(
                status=upstream.status,
                reason=upstream.reason,
                headers=CIMultiDict(
                    (name, value)
                    for name, value in upstream.headers.items()
                    if name.lower() not in HOP_BY_HOP
                ),
            )
            await response.prepare(request)
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
            return response
    except (ClientError, TimeoutError):
        if response is not None:  # cut short mid-answer: the client sees the connection close
            raise
        return web.Response(status=502, body=BAD_GATEWAY, content_type=PROBLEM_CONTENT_TYPE)
