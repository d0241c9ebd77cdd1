from typing import Annotated, Any

from chassis import ServiceSettings
from pydantic import BeforeValidator, Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from .ratelimit.callers import IPNetwork, parse_networks
from .ratelimit.gcra import Rate


def _rate(value: Any) -> Any:
    return Rate.parse(value) if isinstance(value, str) else value


RateSetting = Annotated[Rate, NoDecode, BeforeValidator(_rate)]


class GatewaySettings(ServiceSettings):
    """``GATEWAY_*`` environment variables; each limit below applies to each upstream."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    service_name: str = "gateway"
    host: str = "0.0.0.0"
    port: int = 8000
    database_url: str | None = None

    customer_service_url: str = "http://127.0.0.1:8001"
    order_service_url: str = "http://127.0.0.1:8002"
    identity_service_url: str = "http://127.0.0.1:8003"
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:5173", "http://127.0.0.1:5173"],
        description="Origins allowed by CORS; comma-separated in the environment",
    )

    connect_timeout: float = Field(default=0.5, gt=0, description="Seconds to open a connection")
    customer_read_timeout: float = Field(default=3.0, gt=0)
    # The order service may wait on the customer service itself, so it gets longer.
    order_read_timeout: float = Field(default=6.0, gt=0)
    # A sign-in is an Argon2 verification: tens of milliseconds of CPU, more on a busy host.
    identity_read_timeout: float = Field(default=5.0, gt=0)
    # Equal, so that every call in flight has its connection and none queues unseen in the pool.
    max_connections: int = Field(default=256, ge=1, description="Pooled connections per upstream")
    max_concurrency: int = Field(default=256, ge=1, description="In-flight calls per upstream")
    queue_timeout: float = Field(
        default=1.0, ge=0, description="Seconds a call may wait for a slot; 0 refuses at once"
    )

    retry_attempts: int = Field(default=3, ge=1, description="Tries in all, the first included")
    retry_backoff_initial: float = Field(default=0.05, ge=0)
    retry_backoff_max: float = Field(default=0.5, ge=0)
    retry_budget: float = Field(default=2.0, ge=0, description="Seconds for all tries together")

    # The breaker opens on a failure rate, never on a few failures (docs/adr/0009).
    breaker_failure_rate: float = Field(
        default=0.5, gt=0, le=1, description="Share of failed calls in the window that opens it"
    )
    breaker_minimum_calls: int = Field(
        default=20, ge=1, description="Calls the window must hold before the rate counts"
    )
    breaker_window_seconds: float = Field(default=10.0, gt=0, description="The sliding window")
    breaker_reset_seconds: float = Field(default=10.0, ge=0, description="Open before a probe")

    # Bounds the gateway's memory under many concurrent large pages (budget.py, ADR 10).
    max_buffered_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="Upstream answer bytes held at once by the process; 0: no bound",
    )
    max_response_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1, description="Largest upstream answer read (else 502)"
    )
    # Clients keep idle connections for 5 s (httpx) to minutes (browsers); a server that closes
    # first races their next request. nginx's default, well above them.
    keepalive_timeout: int = Field(default=75, ge=1, description="Idle client connection, s")

    lab_enabled: bool = Field(
        default=False,
        description="The Lab under /api/lab (admin only): traces, faults, circuits",
    )
    lab_otlp_host: str = Field(
        default="127.0.0.1", description="Where the Lab's OTLP/HTTP span receiver listens"
    )
    lab_otlp_port: int = Field(default=4319, ge=0, le=65535, description="0: any free port")
    lab_trace_capacity: int = Field(
        default=300, ge=1, le=10_000, description="Traces the Lab keeps, the newest"
    )

    # Per-caller budgets (docs/adr/0016): "<count>/<s|min|h> [burst <n>]".
    rate_limit_enabled: bool = Field(default=True, description="Off: no budgets at all")
    rate_limit_reads: RateSetting = Field(
        default=Rate.parse("50/s burst 100"), description="GET and HEAD per caller"
    )
    rate_limit_writes: RateSetting = Field(
        default=Rate.parse("10/s burst 20"), description="Every other method per caller"
    )
    rate_limit_login_failures: RateSetting = Field(
        default=Rate.parse("10/min"),
        description="Failed sign-ins per client address and per username (docs/adr/0017)",
    )
    redis_url: str | None = Field(
        default=None,
        description="Budgets in this Redis, shared by every replica; unset: in the process",
    )
    redis_key_prefix: str = Field(
        default="orderflow:ratelimit:", min_length=1, description="Of every budget's key"
    )
    rate_limit_timeout: float = Field(
        default=0.1, gt=0, le=5, description="Seconds Redis may take before the process decides"
    )
    rate_limit_retry_seconds: float = Field(
        default=1.0, ge=0, description="Seconds the process decides alone after Redis failed"
    )
    trusted_proxies: Annotated[tuple[IPNetwork, ...], NoDecode] = Field(
        default=(),
        description="Addresses or networks (comma-separated) whose X-Forwarded-For is believed",
    )

    @property
    def keeps_spans(self) -> bool:
        return self.lab_enabled

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            return parse_networks(str(part) for part in value)
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value
