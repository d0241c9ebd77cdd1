"""Fixtures and helpers OrderFlow's test suites share."""

from .apps import app_client, state_per_request
from .issuer import TestIssuer
from .postgres import PostgresServer, postgres_admin_url
from .processes import (
    Issuer,
    ServiceProcess,
    auth_env,
    customer_service,
    free_port,
    run_script,
    wait_ready,
)
from .stack import Stack

__all__ = [
    "Issuer",
    "PostgresServer",
    "ServiceProcess",
    "Stack",
    "TestIssuer",
    "app_client",
    "auth_env",
    "customer_service",
    "free_port",
    "postgres_admin_url",
    "run_script",
    "state_per_request",
    "wait_ready",
]
