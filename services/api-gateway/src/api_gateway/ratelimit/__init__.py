"""Per-caller budgets at the gateway (docs/adr/0016, 0017): GCRA buckets in the process or in
Redis, judged before any upstream call."""

from .callers import address_key, client_address, parse_networks
from .gcra import Decision, Rate
from .limiter import LOGIN, READS, WRITES, Limiter, Policy, headers, refusal
from .middleware import RateLimitMiddleware
from .stores import FallbackStore, MemoryStore, RedisStore, Store

__all__ = [
    "LOGIN",
    "READS",
    "WRITES",
    "Decision",
    "FallbackStore",
    "Limiter",
    "MemoryStore",
    "Policy",
    "Rate",
    "RateLimitMiddleware",
    "RedisStore",
    "Store",
    "address_key",
    "client_address",
    "headers",
    "parse_networks",
    "refusal",
]
