"""Settings every OrderFlow process shares; each service subclasses with its own env prefix."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MEMORY_DATABASE_URL = "sqlite+aiosqlite:///:memory:"
MIB = 1024 * 1024


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
