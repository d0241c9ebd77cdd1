"""The order service process: ``orderflow-order`` serves, ``orderflow-order migrate`` only
migrates."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from chassis import (
    INVALID_CURSOR,
    AsProblem,
    InvalidCursorError,
    InvalidField,
    Storage,
    run_service,
)
from chassis import create_app as create_service_app
from chassis.access import FORBIDDEN
from fastapi import FastAPI

from . import routes
from .customers import CustomerDirectory
from .domain import (
    AccessDeniedError,
    CustomerNotFoundError,
    CustomerServiceUnavailableError,
    IdempotencyKeyReusedError,
    InvalidTransitionError,
    OrderNotFoundError,
    VersionMismatchError,
)
from .settings import OrderSettings

STORAGE = Storage(
    migrations=Path(__file__).parent / "migrations", version_table="alembic_version_order"
)
PROBLEMS: dict[type[Exception], AsProblem] = {
    AccessDeniedError: FORBIDDEN,
    OrderNotFoundError: AsProblem(404, "order-not-found"),
    InvalidTransitionError: AsProblem(
        409,
        "invalid-transition",
        extra=lambda e: {"current_status": str(e.current), "allowed_transitions": e.allowed},
    ),
    VersionMismatchError: AsProblem(
        412,
        "version-mismatch",
        extra=lambda e: {"current_version": e.current_version},
        headers=lambda e: {"ETag": f'"{e.current_version}"'},
    ),
    CustomerNotFoundError: AsProblem(
        422,
        "customer-not-found",
        invalid=InvalidField("body", "customer_id", "customer_not_found"),
    ),
    IdempotencyKeyReusedError: AsProblem(
        422,
        "idempotency-key-reused",
        invalid=InvalidField("header", "Idempotency-Key", "idempotency_key_reused"),
    ),
    CustomerServiceUnavailableError: AsProblem(
        503, "customer-service-unavailable", headers=lambda _: {"Retry-After": "1"}
    ),
    InvalidCursorError: INVALID_CURSOR,
}


def create_app(
    settings: OrderSettings | None = None,
    customer_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The app; ``customer_transport`` replaces the network, e.g. by the customer app itself."""
    settings = settings or OrderSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.customers = CustomerDirectory.open(settings, customer_transport)
        try:
            yield
        finally:
            await app.state.customers.close()

    app = create_service_app(
        settings,
        title="OrderFlow order service",
        description="Internal API: the one owner of orders. Reached through the gateway.",
        routers=[routes.router],
        storage=STORAGE,
        problem_map=PROBLEMS,
        lifespan=lifespan,
        authenticate=True,
    )
    app.state.settings = settings
    return app


def run() -> None:
    settings = OrderSettings()
    run_service(create_app, settings, STORAGE)
