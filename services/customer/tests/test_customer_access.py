"""Who may do what to customers, decided by the customer service itself (SQLite, PostgreSQL)."""

import uuid

import httpx
import pytest
from orderflow_testing import TestIssuer

from .conftest import create_customer


@pytest.fixture
async def two(client: httpx.AsyncClient) -> tuple[dict[str, object], dict[str, object]]:
    return (
        await create_customer(client, "Ada", "ada@example.com"),
        await create_customer(client, "Grace", "grace@example.com"),
    )


def as_customer(issuer: TestIssuer, customer: dict[str, object]) -> dict[str, str]:
    return issuer.headers("customer", customer_id=str(customer["id"]))


async def test_created_by_is_the_callers_sub(client: httpx.AsyncClient, issuer: TestIssuer) -> None:
    response = await client.post(
        "/customers",
        json={"name": "Ada", "email": "ada@example.com"},
        headers=issuer.headers("staff", sub="staff-7"),
    )
    assert response.json()["created_by"] == "staff-7"


async def test_a_customer_reads_its_own_record(
    client: httpx.AsyncClient, issuer: TestIssuer, two: tuple[dict[str, object], ...]
) -> None:
    ada, _ = two
    response = await client.get(f"/customers/{ada['id']}", headers=as_customer(issuer, ada))
    assert response.status_code == 200
    assert response.json() == ada


async def test_another_customers_record_is_not_found_like_a_missing_one(
    client: httpx.AsyncClient, issuer: TestIssuer, two: tuple[dict[str, object], ...]
) -> None:
    ada, grace = two
    headers = as_customer(issuer, ada)
    other = await client.get(f"/customers/{grace['id']}", headers=headers)
    missing_id = uuid.uuid4()
    missing = await client.get(f"/customers/{missing_id}", headers=headers)
    assert other.status_code == missing.status_code == 404
    assert (
        other.json()["type"] == missing.json()["type"] == "urn:orderflow:problem:customer-not-found"
    )
    assert other.json()["detail"].replace(str(grace["id"]), "X") == missing.json()[
        "detail"
    ].replace(str(missing_id), "X")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/customers"), ("GET", "/customers?q=grace"), ("GET", "/customers/stats")],
)
async def test_a_customer_may_not_list_search_or_count(
    client: httpx.AsyncClient,
    issuer: TestIssuer,
    two: tuple[dict[str, object], ...],
    method: str,
    path: str,
) -> None:
    response = await client.request(method, path, headers=as_customer(issuer, two[0]))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].endswith('error="insufficient_scope"')


async def test_a_customer_may_not_create_customers(
    client: httpx.AsyncClient, issuer: TestIssuer, two: tuple[dict[str, object], ...]
) -> None:
    response = await client.post(
        "/customers",
        json={"name": "Eve", "email": "eve@example.com"},
        headers=as_customer(issuer, two[0]),
    )
    assert response.status_code == 403
    assert (await client.get("/customers/stats")).json() == {"total": 2}


async def test_a_customer_may_not_change_any_record(
    client: httpx.AsyncClient, issuer: TestIssuer, two: tuple[dict[str, object], ...]
) -> None:
    ada, grace = two
    headers = as_customer(issuer, ada)
    own = await client.patch(f"/customers/{ada['id']}", json={"name": "X"}, headers=headers)
    other = await client.patch(f"/customers/{grace['id']}", json={"name": "X"}, headers=headers)
    assert own.status_code == 403  # its own record is read-only to it
    assert other.status_code == 404  # and another's does not exist, as far as it knows
    for customer in two:
        assert (await client.get(f"/customers/{customer['id']}")).json() == customer


async def test_a_customers_batch_holds_only_its_own(
    client: httpx.AsyncClient, issuer: TestIssuer, two: tuple[dict[str, object], ...]
) -> None:
    ada, grace = two
    response = await client.post(
        "/customers/batch",
        json={"ids": [ada["id"], grace["id"]]},
        headers=as_customer(issuer, ada),
    )
    assert [item["id"] for item in response.json()["items"]] == [ada["id"]]


async def test_staff_and_admin_see_everyone(
    client: httpx.AsyncClient, issuer: TestIssuer, two: tuple[dict[str, object], ...]
) -> None:
    for role in ("staff", "admin"):
        page = await client.get("/customers", headers=issuer.headers(role))
        assert len(page.json()["items"]) == 2


async def test_a_token_without_an_orderflow_role_is_403(
    client: httpx.AsyncClient, issuer: TestIssuer, two: tuple[dict[str, object], ...]
) -> None:
    headers = {"Authorization": f"Bearer {issuer.token(roles=['superuser'])}"}
    response = await client.get(f"/customers/{two[0]['id']}", headers=headers)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "authorization", [None, "Bearer nope", "Basic YTpi"], ids=["none", "garbage", "basic"]
)
async def test_no_valid_token_is_401(
    client: httpx.AsyncClient, two: tuple[dict[str, object], ...], authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    client.headers.pop("Authorization", None)
    response = await client.get(f"/customers/{two[0]['id']}", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
