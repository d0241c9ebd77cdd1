"""The default storage: a SQLite file shared by concurrent writers."""

import asyncio
from pathlib import Path

from customer_service.main import create_app
from customer_service.settings import CustomerSettings
from orderflow_testing import TestIssuer, app_client


async def test_fifty_concurrent_writers_on_a_file_all_succeed(
    tmp_path: Path, issuer: TestIssuer
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'customer.db'}"
    settings = CustomerSettings(database_url=url, access_log=False, **issuer.settings())
    async with app_client(create_app(settings), headers=issuer.headers("staff")) as c:
        responses = await asyncio.gather(
            *(
                c.post("/customers", json={"name": f"w{i}", "email": f"w{i}@example.com"})
                for i in range(50)
            )
        )
        assert [r.status_code for r in responses] == [201] * 50
        assert (await c.get("/customers/stats")).json() == {"total": 50}


async def test_data_survives_a_restart(tmp_path: Path, issuer: TestIssuer) -> None:
    settings = CustomerSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'customer.db'}",
        access_log=False,
        **issuer.settings(),
    )
    headers = issuer.headers("staff")
    async with app_client(create_app(settings), headers=headers) as client:
        created = (
            await client.post("/customers", json={"name": "Ada", "email": "ada@example.com"})
        ).json()

    async with app_client(create_app(settings), headers=headers) as client:
        assert (await client.get(f"/customers/{created['id']}")).json() == created
