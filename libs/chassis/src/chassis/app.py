"""The composition root every OrderFlow process shares: ``create_app`` and ``serve``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi_offline import FastAPIOffline
from starlette.middleware import Middleware

from . import health, metrics
from .access import AuthMiddleware
from .auth import TokenVerifier
from .bodies import BodyLimitMiddleware, require_declared_media_type
from .logging import configure_logging, get_logger
from .observe import ObservabilityMiddleware
from .problems import PROBLEM_CONTENT_TYPE, Problem, ProblemMap, install_problem_handlers
from .routing import reserve_literal_paths
from .security import SecurityHeadersMiddleware, Utf8QueryMiddleware
from .server import serve
from .settings import MEMORY_DATABASE_URL, ServiceSettings

if TYPE_CHECKING:  # a component with no storage (the gateway) loads no database library
    from .db import Database

log = get_logger(__name__)

_PROBLEM_CONTENT = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
# What any operation that takes a body may answer before it reads it as data.
BODY_REFUSALS = {
    "400": {"description": "The body is not valid JSON", "content": _PROBLEM_CONTENT},
    "413": {"description": "The body is larger than the limit", "content": _PROBLEM_CONTENT},
    "415": {
        "description": "The body is not in a media type this operation takes",
        "content": _PROBLEM_CONTENT,
    },
}

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
DOCS_ASSETS = "/docs/assets"


@dataclass(frozen=True)
class Storage:
    """A service's own database: where its migrations live and its default location."""

    migrations: Path
    version_table: str
    default_url: str = MEMORY_DATABASE_URL


def create_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str = "",
    version: str = "0.1.0",
    routers: Sequence[APIRouter] = (),
    storage: Storage | None = None,
    problem_map: ProblemMap | None = None,
    lifespan: Lifespan | None = None,
    cors_origins: Sequence[str] = (),
    private_paths: Sequence[str] = (),
    untraced: Sequence[str] = (),
    authenticate: bool = False,
    token_verifier: TokenVerifier | None = None,
    middleware: Sequence[Middleware] = (),
) -> FastAPI:
    """An app with OrderFlow's defaults: JSON logs, request ids, problem+json errors, metrics,
    ``/healthz`` and ``/readyz``, trace context passed on, and (with ``storage``) a migrated
    database on ``app.state.db`` whose reachability is part of readiness. OpenTelemetry spans
    (requests but for ``untraced`` path prefixes, calls, statements) are made when
    ``settings.tracing_enabled``. Callers are verified by
    ``app.state.token_verifier`` (from the ``auth_*`` settings unless given) when a route asks
    (``chassis.CallerDep``), or on every request before the routes with ``authenticate``
    (``chassis.access.AuthMiddleware``).

    At the edge: bodies only in the media types each operation declares (415) and within
    ``max_body_bytes`` (413); ``nosniff`` on every answer and ``no-store`` on those under
    ``private_paths``; ``/docs`` and ``/redoc`` from assets served here, never a CDN.

    ``middleware`` runs, in the order given, innermost: after the caller is known and inside
    CORS (so its own answers, a 429 say, reach a browser), just before the routes."""
    configure_logging(
        service=settings.service_name, level=settings.log_level, fmt=settings.log_format
    )
    tracing = settings.tracing_enabled

    @asynccontextmanager
    async def app_lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.readiness_checks = {}
        db: Database | None = None
        if storage is not None:
            from .db import Database
            from .schema import at_head

            db = Database(settings.database_url or storage.default_url)
            if tracing:
                from .tracing import instrument_database

                instrument_database(db)
            if settings.migrate_on_startup and not await at_head(
                db, storage.migrations, version_table=storage.version_table
            ):
                from .migrations import upgrade  # Alembic only in a process that migrates

                await upgrade(db, storage.migrations, version_table=storage.version_table)
            app.state.db = db
            app.state.readiness_checks["database"] = _database_check(db)
        try:
            if lifespan is not None:
                async with lifespan(app):
                    log.info("started", port=settings.port)
                    yield
            else:
                log.info("started", port=settings.port)
                yield
        finally:
            if db is not None:
                await db.dispose()
            await verifier.aclose()
            log.info("stopped")

    verifier = token_verifier or TokenVerifier.from_settings(settings)
    app = FastAPIOffline(
        title=title,
        description=description,
        version=version,
        lifespan=app_lifespan,
        responses={422: {"model": Problem, "description": "Invalid input"}},
        dependencies=[Depends(require_declared_media_type)],
        static_url=DOCS_ASSETS,
        docs_url=None,  # served by swagger_page below, which also passes init_oauth on
        # The validator badge would send the document's URL to an outside service.
        swagger_ui_parameters={"validatorUrl": None},
        # FastAPI's own OpenTelemetry would trace any app of a process that has a tracer
        # provider; spans here are decided once, by the settings, and made below.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_swagger_page(app)
    app.state.token_verifier = verifier
    app.include_router(health.router)
    app.include_router(metrics.router)
    for router in routers:
        reserve_literal_paths(router)
        app.include_router(router)
    install_problem_handlers(app, problem_map, database=storage is not None)
    document_body_refusals(app)
    for layer in reversed(middleware):
        app.add_middleware(layer.cls, *layer.args, **layer.kwargs)
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST", "PATCH", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "Idempotency-Key",
                "X-Request-ID",
            ],
            expose_headers=[
                "ETag",
                "Location",
                "X-Request-ID",
                "Retry-After",
                "RateLimit",
                "RateLimit-Policy",
                "Idempotent-Replayed",
            ],
        )
    if tracing:
        # Imported only here: OpenTelemetry costs memory and start-up time when unused.
        from .tracing import configure_tracing, instrument_app

        configure_tracing(settings)
        instrument_app(app, untraced)
    if authenticate:
        app.add_middleware(AuthMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(Utf8QueryMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, private_paths=tuple(private_paths))
    app.add_middleware(ObservabilityMiddleware, access_log_enabled=settings.access_log)
    return app


def document_body_refusals(app: FastAPI) -> None:
    """Every operation that takes a body may answer 400 (not JSON), 413 (too large) and 415
    (not in a media type it takes): say so."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            for path in document.get("paths", {}).values():
                for operation in path.values():
                    if isinstance(operation, dict) and "requestBody" in operation:
                        for status, response in BODY_REFUSALS.items():
                            operation["responses"].setdefault(status, response)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_swagger_page(app: FastAPI) -> None:
    """``/docs`` from the assets under ``DOCS_ASSETS``, as fastapi-offline serves it, and with
    ``app.swagger_ui_init_oauth`` (the client the Authorize button signs in as) passed on."""
    redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def swagger_page(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=redirect_url,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    @app.get(redirect_url, include_in_schema=False)
    async def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


def _database_check(db: Database) -> Any:
    async def check() -> dict[str, Any]:
        await db.ping()
        return {"backend": db.url.get_backend_name()}

    return check


def migrate(settings: ServiceSettings, storage: Storage) -> None:
    """Apply the service's migrations and return (``<service> migrate``, ``make migrate``)."""
    import asyncio

    from .db import Database
    from .migrations import upgrade

    async def run() -> None:
        db = Database(settings.database_url or storage.default_url)
        try:
            await upgrade(db, storage.migrations, version_table=storage.version_table)
        finally:
            await db.dispose()

    configure_logging(
        service=settings.service_name, level=settings.log_level, fmt=settings.log_format
    )
    asyncio.run(run())
    log.info("migrated", version_table=storage.version_table)


def run_service(
    factory: Callable[[Any], FastAPI], settings: ServiceSettings, storage: Storage | None
) -> None:
    """A service's console script: ``<script>`` serves, ``<script> migrate`` only migrates."""
    import sys

    args = sys.argv[1:]
    if args == ["migrate"]:
        if storage is None:
            raise SystemExit("this component has no database to migrate")
        migrate(settings, storage)
        return
    if args:
        raise SystemExit(f"usage: {sys.argv[0]} [migrate]")
    serve(factory(settings), settings)
