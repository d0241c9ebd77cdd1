"""The customer service process: ``orderflow-customer`` serves, ``orderflow-customer migrate``
only migrates."""

from pathlib import Path

from chassis import (
    INVALID_CURSOR,
    AsProblem,
    InvalidCursorError,
    Storage,
    run_service,
)
from chassis import create_app as create_service_app
from chassis.access import FORBIDDEN
from fastapi import FastAPI

from . import routes
from .domain import AccessDeniedError, CustomerNotFoundError, EmailTakenError
from .settings import CustomerSettings

STORAGE = Storage(
    migrations=Path(__file__).parent / "migrations", version_table="alembic_version_customer"
)
PROBLEMS: dict[type[Exception], AsProblem] = {
    CustomerNotFoundError: AsProblem(404, "customer-not-found"),
    EmailTakenError: AsProblem(409, "email-taken"),
    AccessDeniedError: FORBIDDEN,
    InvalidCursorError: INVALID_CURSOR,
}


def create_app(settings: CustomerSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or CustomerSettings(),
        title="OrderFlow customer service",
        description="Internal API: the one owner of customer data. Reached through the gateway.",
        routers=[routes.router],
        storage=STORAGE,
        problem_map=PROBLEMS,
        authenticate=True,
    )


def run() -> None:
    settings = CustomerSettings()
    run_service(create_app, settings, STORAGE)
