from typing import Annotated

from chassis import ServiceSettings
from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict


class GatewaySettings(ServiceSettings):
    """``GATEWAY_*`` environment variables; each limit below applies to each upstream."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    service_name: str = "gateway"
    host: str = "0.0.0.0"
    port: int = 8000
    database_url: str | None = None

    customer_service_url: str = "http://127.0.0.1:8001"
    order_service_url: str = "http://127.0.0.1:8002"
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:5173", "http://127.0.0.1:5173"],
        description="Origins allowed by CORS; comma-separated in the environment",
    )

    connect_timeout: float = Field(default=0.5, gt=0, description="Seconds to open a connection")
    customer_read_timeout: float = Field(default=3.0, gt=0)
    # The order service may wait on the customer service itself, so it gets longer.
    order_read_timeout: float = Field(default=6.0, gt=0)
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

    @property
    def keeps_spans(self) -> bool:
        return self.lab_enabled

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value
