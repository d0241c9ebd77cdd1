"""Settings every OrderFlow process shares; each service subclasses with its own env prefix."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .auth import check_algorithms

MEMORY_DATABASE_URL = "sqlite+aiosqlite:///:memory:"
MIB = 1024 * 1024
DEFAULT_ISSUER = "http://localhost:8000/api/auth"
DEFAULT_JWKS_URL = "http://127.0.0.1:8003/jwks.json"


class ServiceSettings(BaseSettings):
    """From the environment: ``CUSTOMER_PORT=9001`` for a subclass with prefix ``CUSTOMER_``."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "orderflow"
    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    access_log: bool = True
    database_url: str | None = None
    migrate_on_startup: bool = True
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT",
        description="An OTLP/HTTP collector (Jaeger, Tempo, ...) to send spans to",
    )

    # What one client may cost this process (docs/adr/0010-edge-limits.md).
    max_body_bytes: int = Field(default=MIB, ge=0, description="Largest request body (413)")
    server_header_timeout: float = Field(
        default=10.0, gt=0, description="Seconds a request's head may take to arrive (408)"
    )
    server_body_timeout: float = Field(
        default=30.0, gt=0, description="Seconds a request's body may take to arrive (408)"
    )
    server_max_header_bytes: int = Field(
        default=16 * 1024, ge=1024, description="Largest request line and headers (431)"
    )
    server_limit_concurrency: int = Field(
        default=1000, ge=1, description="Connections and requests at once before 503s"
    )
    lab_otlp_endpoint: str | None = Field(
        default=None,
        description="The Lab's OTLP/HTTP receiver in the gateway, e.g. http://127.0.0.1:4319",
    )
    tracing: bool | None = Field(
        default=None,
        description="OpenTelemetry spans; unset: on when something receives them. Off, the "
        "caller's traceparent is still passed on.",
    )

    # Who may call: tokens of this issuer for this audience, signed by a key of its JWKS.
    # Any OpenID Connect provider can stand in by these settings (docs/adr/0014).
    auth_issuer: str = DEFAULT_ISSUER
    auth_audience: str = "orderflow-api"
    auth_jwks_url: str = DEFAULT_JWKS_URL
    auth_algorithms: Annotated[tuple[str, ...], NoDecode] = ("ES256",)
    auth_roles_claim: str = Field(default="roles", min_length=1)
    auth_leeway_seconds: float = Field(default=5.0, ge=0, le=60)
    # A token naming an unknown key re-reads the JWKS at most this often, however many come.
    auth_jwks_min_refresh_seconds: float = Field(default=10.0, ge=0, le=3600)

    @property
    def keeps_spans(self) -> bool:
        """Whether this component keeps spans itself (the gateway, with the Lab on)."""
        return False

    @property
    def tracing_enabled(self) -> bool:
        """The one place tracing is decided: spans are made only when something takes them.

        Spans nobody exports cost ~0.2 ms of CPU per request and the SDK's memory
        (docs/benchmarks.md); without them the caller's trace context is still passed on.
        """
        if self.tracing is not None:
            return self.tracing
        return bool(self.otel_exporter_otlp_endpoint or self.lab_otlp_endpoint or self.keeps_spans)

    @field_validator("auth_algorithms", mode="before")
    @classmethod
    def _split_algorithms(cls, value: Any) -> Any:
        """``ES256,RS256`` in the environment; refuses ``none`` and shared-secret algorithms."""
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return check_algorithms(value)
