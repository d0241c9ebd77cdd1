"""The gateway's budgets: a policy per route class, a store for the buckets, and what the
client is told about them (draft-ietf-httpapi-ratelimit-headers: ``RateLimit-Policy`` and
``RateLimit``; ``Retry-After`` on a 429)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from chassis import ProblemError, get_logger
from chassis.problems import problem_response
from fastapi.responses import JSONResponse

from ..metrics import RATE_LIMITED
from .callers import IPNetwork
from .gcra import Decision, Rate
from .stores import Store

log = get_logger(__name__)
READS = "reads"
WRITES = "writes"
LOGIN = "login"
SLUG = "rate-limited"


@dataclass(frozen=True, slots=True)
class Policy:
    """A named budget: ``name`` is what the headers and the metrics call it."""

    name: str
    rate: Rate

    @property
    def item(self) -> str:
        """This policy as a ``RateLimit-Policy`` member: its burst, and the seconds an empty
        bucket takes to fill again."""
        return f'"{self.name}";q={self.rate.burst};w={max(1, math.ceil(self.rate.window))}'

    def service_limit(self, decision: Decision) -> str:
        """A ``RateLimit`` member: requests left and, allowed, the seconds until the bucket
        is full again; refused, until the next request may go (as ``Retry-After``)."""
        seconds = decision.reset_after if decision.allowed else decision.retry_after
        return f'"{self.name}";r={decision.remaining};t={math.ceil(seconds - 1e-6)}'


def retry_after_seconds(decision: Decision) -> int:
    return max(1, math.ceil(decision.retry_after - 1e-6))


def headers(policy: Policy, decision: Decision) -> dict[str, str]:
    """The fields every answer under ``policy`` carries; a refusal adds ``Retry-After``."""
    fields = {"RateLimit-Policy": policy.item, "RateLimit": policy.service_limit(decision)}
    if not decision.allowed:
        fields["Retry-After"] = str(retry_after_seconds(decision))
    return fields


class Limiter:
    """Judges requests against the policies; the one object the middleware and the token
    route share (``app.state.limiter``)."""

    def __init__(
        self,
        store: Store,
        *,
        reads: Rate,
        writes: Rate,
        login_failures: Rate,
        trusted_proxies: tuple[IPNetwork, ...] = (),
    ) -> None:
        self.store = store
        self.reads = Policy(READS, reads)
        self.writes = Policy(WRITES, writes)
        self.login = Policy(LOGIN, login_failures)
        self.trusted_proxies = trusted_proxies

    async def take(self, policy: Policy, key: str) -> Decision:
        return await self.store.take(f"{policy.name}:{key}", policy.rate)

    async def give_back(self, policy: Policy, key: str) -> None:
        await self.store.give_back(f"{policy.name}:{key}", policy.rate)

    async def aclose(self) -> None:
        await self.store.aclose()


def refusal(
    policy: Policy, decision: Decision, *, reason: str, detail: str, **who: str | None
) -> ProblemError:
    """The 429 for a spent budget, counted and logged once (the caller's ``sub`` or address,
    never a token)."""
    wait = retry_after_seconds(decision)
    violated: dict[str, Any] = {"violated-policies": [policy.name]}  # the draft's member
    RATE_LIMITED.labels(policy.name, reason).inc()
    known = {name: value for name, value in who.items() if value is not None}
    log.warning("rate_limited", policy=policy.name, reason=reason, retry_after=wait, **known)
    return ProblemError(
        429,
        f"{detail} Try again in {wait} s.",
        slug=SLUG,
        title="Too many requests",
        headers=headers(policy, decision),
        **violated,
    )


def refusal_response(error: ProblemError, instance: str) -> JSONResponse:
    """The refusal as an answer, for code outside the routes (the middleware)."""
    return problem_response(
        error.status,
        error.detail,
        slug=error.slug,
        title=error.title,
        instance=instance,
        headers=error.headers,
        **error.extra,
    )
