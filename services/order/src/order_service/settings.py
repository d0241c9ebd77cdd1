from chassis import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class OrderSettings(ServiceSettings):
    """``ORDER_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="ORDER_", extra="ignore", frozen=True)

    service_name: str = "order"
    port: int = 8002
    database_url: str | None = "sqlite+aiosqlite:///var/order.db"
    customer_service_url: str = "http://127.0.0.1:8001"
    customer_connect_timeout: float = Field(default=1.0, gt=0)
    customer_read_timeout: float = Field(default=3.0, gt=0)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
