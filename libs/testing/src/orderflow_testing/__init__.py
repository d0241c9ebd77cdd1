"""Fixtures and helpers OrderFlow's test suites share."""

from .apps import app_client, state_per_request
from .issuer import TestIssuer
from .metrics import sample
from .postgres import PostgresServer, postgres_admin_url
from .processes import (
    FAST_PASSWORD_HASHING,
    Issuer,
    ServiceProcess,
    auth_env,
    customer_service,
    eventually,
    free_port,
    gateway_service,
    identity_service,
    order_service,
    run_script,
    wait_ready,
)
from .redis import RedisNamespace, redis_namespace, redis_test_url
from .signin import IdentitySignIn
from .stack import Stack

__all__ = [
    "FAST_PASSWORD_HASHING",
    "IdentitySignIn",
    "Issuer",
    "PostgresServer",
    "RedisNamespace",
    "ServiceProcess",
    "Stack",
    "TestIssuer",
    "app_client",
    "auth_env",
    "customer_service",
    "eventually",
    "free_port",
    "gateway_service",
    "identity_service",
    "order_service",
    "postgres_admin_url",
    "redis_namespace",
    "redis_test_url",
    "run_script",
    "sample",
    "state_per_request",
    "wait_ready",
]
