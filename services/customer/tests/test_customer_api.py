"""The customer service's HTTP API, on SQLite and PostgreSQL."""

import asyncio
import uuid

import httpx
import pytest
from orderflow_testing import sample

from .conftest import create_customer

PROBLEM = "application/problem+json"


async def test_create_returns_customer_with_location(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/customers", json={"name": "  Ada Lovelace ", "email": "Ada@Example.com"}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Ada Lovelace"
    assert body["email"] == "Ada@Example.com"
    assert uuid.UUID(body["id"])
    assert body["created_at"].endswith("Z")
    assert body["created_at"] == body["updated_at"]
    assert response.headers["location"] == f"/customers/{body['id']}"


async def test_get_returns_the_created_customer(client: httpx.AsyncClient) -> None:
    created = await create_customer(client, "Grace", "grace@example.com")

    response = await client.get(f"/customers/{created['id']}")

    assert response.status_code == 200
    assert response.json() == created


async def test_get_unknown_customer_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/customers/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:orderflow:problem:customer-not-found"


async def test_get_malformed_id_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/customers/not-a-uuid")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "customer_id"


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@example.Com"])
async def test_email_taken_in_any_case_is_409(client: httpx.AsyncClient, email: str) -> None:
    await create_customer(client, "Ada", "ada@example.com")

    response = await client.post("/customers", json={"name": "Other", "email": email})

    assert response.status_code == 409
    assert response.json()["type"] == "urn:orderflow:problem:email-taken"


async def test_racing_creates_with_one_email_let_exactly_one_win(
    client: httpx.AsyncClient,
) -> None:
    responses = await asyncio.gather(
        *(
            client.post("/customers", json={"name": f"n{i}", "email": email})
            for i, email in enumerate(["race@example.com", "RACE@example.com"] * 5)
        )
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9
    listed = (await client.get("/customers", params={"q": "race@"})).json()["items"]
    assert len(listed) == 1


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"name": "", "email": "a@example.com"}, {"name"}),
        ({"name": "   ", "email": "a@example.com"}, {"name"}),
        ({"name": "x" * 201, "email": "a@example.com"}, {"name"}),
        ({"name": "Ada", "email": "not-an-email"}, {"email"}),
        ({"name": "Ada"}, {"email"}),
        ({"email": "a@example.com"}, {"name"}),
        ({}, {"name", "email"}),
        ({"name": 5, "email": "a@example.com"}, {"name"}),
        ({"name": "Ada\x00", "email": "a@example.com"}, {"name"}),
        ({"name": "Ada", "email": "a@example.com", "role": "admin"}, {"role"}),
    ],
)
async def test_invalid_create_lists_each_bad_field(
    client: httpx.AsyncClient, payload: dict[str, object], fields: set[str]
) -> None:
    response = await client.post("/customers", json=payload)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422
    assert {e["field"] for e in problem["errors"]} == fields


async def test_malformed_json_is_400_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/customers", content=b'{"name": ', headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["type"] == "urn:orderflow:problem:malformed-body"


@pytest.mark.parametrize(
    "name",
    [
        "Robert'); DROP TABLE customers;--",
        "<script>alert(1)</script>",
        "Zoë Ñúñez 李小龍 🚀",
        "tab\tand\nnewline",
        "%_\\ wildcards",
        "x" * 200,
    ],
)
async def test_hostile_names_are_stored_verbatim(client: httpx.AsyncClient, name: str) -> None:
    created = await create_customer(client, name, "hostile@example.com")

    fetched = (await client.get(f"/customers/{created['id']}")).json()

    assert fetched["name"] == name


async def test_patch_changes_only_given_fields(client: httpx.AsyncClient) -> None:
    created = await create_customer(client, "Ada", "ada@example.com")

    response = await client.patch(f"/customers/{created['id']}", json={"name": "Ada King"})

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Ada King"
    assert body["email"] == "ada@example.com"
    assert body["updated_at"] > created["updated_at"]  # type: ignore[operator]


async def test_patch_own_email_in_other_case_is_allowed(client: httpx.AsyncClient) -> None:
    created = await create_customer(client, "Ada", "ada@example.com")

    response = await client.patch(f"/customers/{created['id']}", json={"email": "ADA@example.com"})

    assert response.status_code == 200
    assert response.json()["email"] == "ADA@example.com"


async def test_patch_to_a_taken_email_is_409(client: httpx.AsyncClient) -> None:
    await create_customer(client, "Ada", "ada@example.com")
    grace = await create_customer(client, "Grace", "grace@example.com")

    response = await client.patch(f"/customers/{grace['id']}", json={"email": "Ada@Example.com"})

    assert response.status_code == 409


async def test_patch_unknown_is_404(client: httpx.AsyncClient) -> None:
    response = await client.patch(f"/customers/{uuid.uuid4()}", json={"name": "X"})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"name": None}, "body"), ({"email": "nope"}, "email"), ({"name": ""}, "name")],
)
async def test_patch_invalid_is_422(
    client: httpx.AsyncClient, payload: dict[str, object], field: str
) -> None:
    created = await create_customer(client, "Ada", "ada@example.com")

    response = await client.patch(f"/customers/{created['id']}", json=payload)

    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_list_pages_newest_first_and_stay_stable_while_inserting(
    client: httpx.AsyncClient,
) -> None:
    created = [await create_customer(client, f"c{i}", f"c{i}@example.com") for i in range(5)]

    first = (await client.get("/customers", params={"limit": 2})).json()
    await create_customer(client, "late", "late@example.com")
    second = (
        await client.get("/customers", params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    third = (
        await client.get("/customers", params={"limit": 2, "cursor": second["next_cursor"]})
    ).json()

    seen = [c["id"] for page in (first, second, third) for c in page["items"]]
    assert seen == [c["id"] for c in reversed(created)]
    assert third["next_cursor"] is None


async def test_search_matches_name_or_email_in_any_case(client: httpx.AsyncClient) -> None:
    ada = await create_customer(client, "Ada Lovelace", "ada@analytical.org")
    grace = await create_customer(client, "Grace Hopper", "grace@NAVY.mil")
    await create_customer(client, "Alan", "alan@example.com")

    by_name = (await client.get("/customers", params={"q": "LOVE"})).json()["items"]
    by_email = (await client.get("/customers", params={"q": "navy"})).json()["items"]
    wildcard = (await client.get("/customers", params={"q": "%"})).json()["items"]

    assert [c["id"] for c in by_name] == [ada["id"]]
    assert [c["id"] for c in by_email] == [grace["id"]]
    assert wildcard == []


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"limit": "x"}, {"cursor": "garbage"}, {"cursor": "W10"}],
)
async def test_bad_list_parameters_are_422(
    client: httpx.AsyncClient, params: dict[str, object]
) -> None:
    response = await client.get("/customers", params=params)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"] in {"limit", "cursor"}


async def test_batch_returns_known_customers_only(client: httpx.AsyncClient) -> None:
    ada = await create_customer(client, "Ada", "ada@example.com")
    grace = await create_customer(client, "Grace", "grace@example.com")

    response = await client.post(
        "/customers/batch", json={"ids": [ada["id"], grace["id"], str(uuid.uuid4()), ada["id"]]}
    )

    assert response.status_code == 200
    items = response.json()["items"]
    assert sorted(i["id"] for i in items) == sorted([ada["id"], grace["id"]])
    assert set(items[0]) == {"id", "name", "email"}


async def test_batch_refuses_more_than_100_ids(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/customers/batch", json={"ids": [str(uuid.uuid4()) for _ in range(101)]}
    )

    assert response.status_code == 422


async def test_stats_counts_customers(client: httpx.AsyncClient) -> None:
    for i in range(3):
        await create_customer(client, f"c{i}", f"c{i}@example.com")

    assert (await client.get("/customers/stats")).json() == {"total": 3}


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"]["status"] == "ok"


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    labels = {"method": "GET", "route": "/customers/{customer_id}", "status": "404"}
    before = sample((await client.get("/metrics")).text, "http_requests_total", **labels)

    await client.get(f"/customers/{uuid.uuid4()}")
    await client.get(f"/customers/{uuid.uuid4()}")

    after = sample((await client.get("/metrics")).text, "http_requests_total", **labels)
    assert after == before + 2


FORGED_CURSORS = [
    # Each of these was a 500 (and, through the gateway, a step towards an open circuit).
    "WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzAxOjAwIiwgIngiXQ",  # year 0 once in UTC
    "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgIlx1ZDgwMCJd",  # a lone surrogate as the id
    "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgIlx1MDAwMCJd",  # NUL as the id
    "WyI5OTk5LTEyLTMxVDIzOjAwOjAwLTAxOjAwIiwieCJd",  # year 10000 once in UTC
]


@pytest.mark.parametrize("cursor", FORGED_CURSORS)
async def test_a_forged_cursor_is_a_422_before_any_query(
    client: httpx.AsyncClient, cursor: str
) -> None:
    response = await client.get("/customers", params={"cursor": cursor})

    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:orderflow:problem:invalid-cursor"
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("q", ["\x00", "a\x00b", "x" * 3000])
async def test_a_search_the_database_cannot_take_is_422(client: httpx.AsyncClient, q: str) -> None:
    response = await client.get("/customers", params={"q": q})

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "q"


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "a\\ud800", "email": "ada@example.com"}',
        b'{"name": "Ada", "email": "a\\udc00@example.com"}',
    ],
)
async def test_a_lone_surrogate_in_a_body_is_422(client: httpx.AsyncClient, body: bytes) -> None:
    # json.loads lets the escape "\ud800" through; no database can store it.
    response = await client.post(
        "/customers", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422, response.text


async def test_like_wildcards_in_a_search_match_only_themselves(
    client: httpx.AsyncClient,
) -> None:
    percent = await create_customer(client, "100% wool", "wool@example.com")
    underscore = await create_customer(client, "a_b", "ab@example.com")
    backslash = await create_customer(client, "back\\slash", "back@example.com")
    await create_customer(client, "axb", "axb@example.com")

    async def ids(q: str) -> list[str]:
        return [c["id"] for c in (await client.get("/customers", params={"q": q})).json()["items"]]

    assert await ids("0%") == [percent["id"]]
    assert await ids("a_b") == [underscore["id"]]
    assert await ids("k\\s") == [backslash["id"]]
    assert await ids("%_") == []


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("GET", "/customers/batch", "POST"), ("PATCH", "/customers/stats", "GET")],
)
async def test_a_wrong_method_on_a_fixed_path_is_405_not_a_customer_id(
    client: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, path)
    assert (response.status_code, response.headers["content-type"]) == (405, PROBLEM)
    assert response.headers["allow"] == allow
