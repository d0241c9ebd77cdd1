"""Fixtures and helpers OrderFlow's test suites share."""

from .apps import app_client
from .issuer import TestIssuer
from .postgres import PostgresServer, postgres_admin_url
from .processes import (
    FAST_PASSWORD_HASHING,
    ServiceProcess,
    customer_service,
    free_port,
    identity_service,
    run_script,
    wait_ready,
)
from .stack import Stack

__all__ = [
    "FAST_PASSWORD_HASHING",
    "PostgresServer",
    "ServiceProcess",
    "Stack",
    "TestIssuer",
    "app_client",
    "customer_service",
    "free_port",
    "identity_service",
    "postgres_admin_url",
    "run_script",
    "wait_ready",
]
