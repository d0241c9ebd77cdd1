"""The pytest plugin: ``database_url`` runs a test on in-memory SQLite and on PostgreSQL;
``redis_namespace`` gives a test keys of its own on the test Redis."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from chassis import MEMORY_DATABASE_URL

from .issuer import TestIssuer
from .postgres import ENV_VAR, PostgresServer, postgres_admin_url, truncate_all
from .redis import RedisNamespace
from .redis import redis_namespace as fresh_redis_namespace


@pytest.fixture(scope="session")
def issuer() -> Iterator[TestIssuer]:
    """A token issuer serving its JWKS on a free port, shared by the session's tests."""
    with TestIssuer() as test_issuer:
        yield test_issuer


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip(f"{ENV_VAR} is not set; `make test` sets it and runs these tests")
    server = PostgresServer(admin_url)
    yield server
    server.drop_all()


@pytest.fixture
def redis_namespace() -> Iterator[RedisNamespace]:
    """Keys of this test's own on the test Redis, deleted afterwards; the test fails if the
    server does not answer."""
    with fresh_redis_namespace() as namespace:
        yield namespace


@pytest.fixture(scope="session")
def postgres_database(postgres_server: PostgresServer) -> str:
    """One database for the session; tables are emptied after every test that uses it."""
    return postgres_server.create_database()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database: in-memory SQLite, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        yield MEMORY_DATABASE_URL
        return
    url: str = request.getfixturevalue("postgres_database")
    yield url
    asyncio.run(truncate_all(url))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def unmigrated_database_url(request: pytest.FixtureRequest) -> str:
    """A database no migration has touched yet, for tests that upgrade step by step."""
    if request.param == "sqlite":
        return MEMORY_DATABASE_URL
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()
