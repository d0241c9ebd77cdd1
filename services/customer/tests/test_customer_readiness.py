"""Readiness tells the truth when the database is gone."""

from customer_service.main import create_app
from customer_service.settings import CustomerSettings
from orderflow_testing import app_client, free_port


async def test_unreachable_database_is_503_with_the_reason() -> None:
    settings = CustomerSettings(
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere",
        migrate_on_startup=False,
        access_log=False,
    )
    async with app_client(create_app(settings)) as client:
        ready = await client.get("/readyz")
        alive = await client.get("/healthz")

    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    assert ready.json()["checks"]["database"]["status"] == "down"
    assert "database" in ready.json()["detail"]
    assert alive.status_code == 200
