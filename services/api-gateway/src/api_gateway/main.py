"""The gateway process: ``orderflow-gateway`` serves the public API on :8000."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from chassis import TokenVerifier, serve
from chassis import create_app as create_service_app
from fastapi import FastAPI
from starlette.middleware import Middleware

from . import lab as the_lab
from . import openapi
from .budget import BufferBudget, ReleaseBuffersMiddleware
from .gateway import UPSTREAMS, build_upstreams
from .ratelimit import RateLimitMiddleware
from .ratelimit.build import build_limiter
from .routes import auth, config, customers, dashboard, lab, orders
from .settings import GatewaySettings
from .upstream import PROBLEMS, Transport

WEB_CLIENT_ID = "orderflow-web"
DESCRIPTION = """The public API of OrderFlow: sign-in, customers, orders, a dashboard, and the Lab.

Every `/api` route but the token endpoint, discovery and keys needs `Authorization: Bearer
<access token>` (get one at `POST /api/auth/token`, or with the Authorize button here): none
or a bad one is a 401 with `WWW-Authenticate: Bearer` (RFC 6750), a valid one without the
right a 403. Admin and staff see everything; a customer only its own record and orders.

Errors are RFC 9457 problem details (`application/problem+json`). Statuses from the services
pass through; the gateway adds 413 (body over 1 MiB), 415 (a body not sent as
`application/json`), 502 (a broken upstream answer), 503 (a service unreachable, or its circuit
open: see `Retry-After`) and 504 (a service too slow).

Every caller has a budget (the token's `sub`, else the client address): reads 50/s with bursts
of 100, writes 10/s with bursts of 20, and 10 failed sign-ins a minute per address and per
username. Each answer under a budget says where it stands (`RateLimit-Policy`, `RateLimit`:
draft-ietf-httpapi-ratelimit-headers); past it, a 429 problem with `Retry-After`.
"""
# Answers under these hold personal data: no cache may keep them.
PRIVATE_PATHS = ("/api/customers", "/api/orders", "/api/dashboard", "/api/auth", "/api/lab")


def create_app(
    settings: GatewaySettings | None = None,
    *,
    customer_transport: Transport | None = None,
    order_transport: Transport | None = None,
    identity_transport: Transport | None = None,
    token_verifier: TokenVerifier | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> FastAPI:
    """The gateway app; tests pass transports to reach services in-process or mocked, a
    verifier that knows their issuer's keys, and a clock for the circuit breakers."""
    settings = settings or GatewaySettings()
    budget = BufferBudget(settings.max_buffered_bytes) if settings.max_buffered_bytes else None
    limiter = build_limiter(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as running:
            app.state.lab = None
            if settings.lab_enabled:
                app.state.lab = await running.enter_async_context(
                    the_lab.running(settings, UPSTREAMS)
                )
            upstreams = build_upstreams(
                settings,
                customer_transport=customer_transport,
                order_transport=order_transport,
                budget=budget,
                identity_transport=identity_transport,
                faults=app.state.lab.faults if app.state.lab else None,
                clock=clock,
            )
            app.state.upstreams = upstreams
            if limiter is not None:
                running.push_async_callback(limiter.aclose)
            for client in upstreams.all:
                app.state.readiness_checks[client.name] = client.probe
                running.push_async_callback(client.transport.aclose)
            yield

    app = create_service_app(
        settings,
        title="OrderFlow API",
        description=DESCRIPTION,
        routers=[
            auth.router,
            config.router,
            customers.router,
            orders.router,
            dashboard.router,
            lab.router,
        ],
        problem_map=PROBLEMS,
        lifespan=lifespan,
        cors_origins=settings.cors_origins,
        private_paths=PRIVATE_PATHS,
        token_verifier=token_verifier,
        # The Lab does not watch itself: its pages poll, and would fill it with their own calls.
        untraced=(lab.router.prefix,),
        authenticate=True,
        middleware=[Middleware(RateLimitMiddleware, limiter=limiter)] if limiter else [],
    )
    # Swagger's Authorize button signs in as the browser's public client does.
    app.swagger_ui_init_oauth = {"clientId": WEB_CLIENT_ID}
    app.state.settings = settings
    app.state.limiter = limiter
    if budget is not None:
        app.add_middleware(ReleaseBuffersMiddleware, budget=budget)
    openapi.install(app)
    return app


def run() -> None:
    settings = GatewaySettings()
    # proxy_headers off: the client address is the limiter's to read, from trusted proxies only.
    serve(
        create_app(settings),
        settings,
        timeout_keep_alive=settings.keepalive_timeout,
        proxy_headers=False,
    )
