"""The upstreams of one gateway process, built once in the lifespan from the settings."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from chassis import get_logger
from chassis.breaker import CircuitBreaker, CircuitState
from chassis.retry import RetryPolicy

from .budget import BufferBudget
from .client import UpstreamClient
from .clients import CustomerClient, IdentityClient, OrderClient
from .composition import CUSTOMER, ORDER
from .lab.faults import FaultTable
from .settings import GatewaySettings
from .transports import AiohttpTransport
from .upstream import Transport

log = get_logger(__name__)
UPSTREAMS = (CUSTOMER, ORDER)


@dataclass(frozen=True)
class Upstreams:
    customers: CustomerClient
    orders: OrderClient
    identity: IdentityClient

    @property
    def all(self) -> tuple[UpstreamClient, ...]:
        return (self.customers.upstream, self.orders.upstream, self.identity.upstream)


def on_circuit_change(upstream: str, state: CircuitState) -> None:
    if state is CircuitState.CLOSED:
        log.info("circuit_closed", upstream=upstream)
    else:
        log.warning(f"circuit_{state.value}", upstream=upstream)


def upstream_client(
    name: str,
    transport: Transport,
    settings: GatewaySettings,
    *,
    read_timeout: float,
    faults: FaultTable | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> UpstreamClient:
    return UpstreamClient(
        name,
        transport,
        breaker=CircuitBreaker(
            name,
            failure_rate=settings.breaker_failure_rate,
            minimum_calls=settings.breaker_minimum_calls,
            window=settings.breaker_window_seconds,
            reset_timeout=settings.breaker_reset_seconds,
            on_state_change=on_circuit_change,
            clock=clock,
        ),
        retry=RetryPolicy(
            attempts=settings.retry_attempts,
            backoff_initial=settings.retry_backoff_initial,
            backoff_max=settings.retry_backoff_max,
            budget=settings.retry_budget,
        ),
        max_concurrency=settings.max_concurrency,
        queue_timeout=settings.queue_timeout,
        timeout=settings.connect_timeout + read_timeout,
        faults=faults,
        tracing=settings.tracing_enabled,
    )


def build_upstreams(
    settings: GatewaySettings,
    *,
    customer_transport: Transport | None = None,
    order_transport: Transport | None = None,
    budget: BufferBudget | None = None,
    identity_transport: Transport | None = None,
    faults: FaultTable | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Upstreams:
    """Production transports unless tests pass their own, all of them drawing on ``budget``;
    the Lab's faults in front of the customer and order services when it is on. ``clock`` is
    the breakers' (tests move it instead of waiting)."""

    def aiohttp_transport(url: str, read_timeout: float) -> AiohttpTransport:
        return AiohttpTransport(
            url,
            connect_timeout=settings.connect_timeout,
            read_timeout=read_timeout,
            max_connections=settings.max_connections,
            max_response_bytes=settings.max_response_bytes,
            budget=budget,
            budget_timeout=settings.queue_timeout,
        )

    customer = customer_transport or aiohttp_transport(
        settings.customer_service_url, settings.customer_read_timeout
    )
    order = order_transport or aiohttp_transport(
        settings.order_service_url, settings.order_read_timeout
    )
    identity = identity_transport or aiohttp_transport(
        settings.identity_service_url, settings.identity_read_timeout
    )
    customer_client = upstream_client(
        CUSTOMER,
        customer,
        settings,
        read_timeout=settings.customer_read_timeout,
        faults=faults,
        clock=clock,
    )
    order_client = upstream_client(
        ORDER, order, settings, read_timeout=settings.order_read_timeout, faults=faults, clock=clock
    )
    identity_client = upstream_client(
        "identity", identity, settings, read_timeout=settings.identity_read_timeout, clock=clock
    )
    return Upstreams(
        customers=CustomerClient(customer_client),
        orders=OrderClient(order_client),
        identity=IdentityClient(identity_client),
    )
