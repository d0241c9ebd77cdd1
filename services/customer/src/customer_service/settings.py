from chassis import ServiceSettings
from pydantic_settings import SettingsConfigDict


class CustomerSettings(ServiceSettings):
    """``CUSTOMER_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="CUSTOMER_", extra="ignore", frozen=True)

    service_name: str = "customer"
    port: int = 8001
    database_url: str | None = "sqlite+aiosqlite:///var/customer.db"
