"""The limiter the settings describe, built once per gateway process."""

from __future__ import annotations

from ..settings import GatewaySettings
from .limiter import Limiter
from .stores import FallbackStore, MemoryStore, RedisStore, Store


def build_limiter(settings: GatewaySettings) -> Limiter | None:
    """None when budgets are off; in Redis when ``redis_url`` is set, the process's buckets
    standing in while Redis cannot answer; otherwise in the process alone."""
    if not settings.rate_limit_enabled:
        return None
    store: Store = MemoryStore()
    if settings.redis_url:
        store = FallbackStore(
            RedisStore(
                settings.redis_url,
                timeout=settings.rate_limit_timeout,
                prefix=settings.redis_key_prefix,
            ),
            store,
            timeout=settings.rate_limit_timeout,
            retry_after=settings.rate_limit_retry_seconds,
        )
    return Limiter(
        store,
        reads=settings.rate_limit_reads,
        writes=settings.rate_limit_writes,
        login_failures=settings.rate_limit_login_failures,
        trusted_proxies=settings.trusted_proxies,
    )
