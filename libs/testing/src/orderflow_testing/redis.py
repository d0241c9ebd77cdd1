"""A Redis namespace of its own for each test, on the server named by ORDERFLOW_TEST_REDIS_URL.

As with PostgreSQL: when the variable is set (``make test`` and CI always set it) the Redis
tests must run, and an unreachable server fails them; only a bare ``pytest`` without it skips
them, and says so. Each test's keys share a fresh prefix and are deleted afterwards, so runs
beside each other on one database do not meet.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

ENV_VAR = "ORDERFLOW_TEST_REDIS_URL"


def redis_test_url() -> str | None:
    """The Redis URL (with its own database number) tests may use, if they are to use one."""
    return os.environ.get(ENV_VAR) or None


@dataclass
class RedisNamespace:
    """``url`` to connect to; every key a test makes starts with ``prefix``."""

    url: str
    prefix: str = field(default_factory=lambda: f"orderflow-test:{uuid.uuid4().hex[:12]}:")

    def _keys(self, *, delete: bool) -> int:
        import redis

        with redis.Redis.from_url(self.url, socket_timeout=5, socket_connect_timeout=5) as client:
            client.ping()
            keys = list(client.scan_iter(match=f"{self.prefix}*"))
            if delete and keys:
                client.delete(*keys)
            return len(keys)

    def check(self) -> None:
        """Fail (never skip) when the server does not answer."""
        self._keys(delete=False)

    def keys(self) -> int:
        """How many keys of this namespace the server holds."""
        return self._keys(delete=False)

    def clean(self) -> None:
        self._keys(delete=True)


@contextmanager
def redis_namespace() -> Iterator[RedisNamespace]:
    """A namespace for a test (or a module of them): skipped without ORDERFLOW_TEST_REDIS_URL,
    failed when the server does not answer, its keys deleted afterwards."""
    url = redis_test_url()
    if url is None:
        pytest.skip(f"{ENV_VAR} is not set; `make test` sets it and runs these tests")
    namespace = RedisNamespace(url)
    namespace.check()
    try:
        yield namespace
    finally:
        namespace.clean()
