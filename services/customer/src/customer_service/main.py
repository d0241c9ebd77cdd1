"""The customer service process: ``orderflow-customer`` serves, ``orderflow-customer migrate``
only migrates."""

from pathlib import Path

from chassis import Storage, run_service
from chassis import create_app as create_service_app
from fastapi import FastAPI

from . import routes
from .domain import AccessDeniedError, CustomerNotFoundError, EmailTakenError
from .settings import CustomerSettings

STORAGE = Storage(
    migrations=Path(__file__).parent / "migrations", version_table="alembic_version_customer"
)
PROBLEMS: dict[type[Exception], tuple[int, str]] = {
    CustomerNotFoundError: (404, "customer-not-found"),
    EmailTakenError: (409, "email-taken"),
    AccessDeniedError: (403, "forbidden"),
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
