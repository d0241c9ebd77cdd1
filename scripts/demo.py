"""Load a realistic data set through the public API: `make demo` (the system must be running).

A few hundred customers and a few thousand orders in every status, created exactly as a client
would create them, through the gateway, signed in as the `orderflow-cli` client (OAuth 2.0
client credentials; `--client-id`/`--client-secret` or ORDERFLOW_CLIENT_ID/_SECRET for another).
Safe to run twice: emails and idempotency keys are deterministic, so a second run adds nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from collections.abc import Generator
from typing import Any

import httpx

FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "Ken",
    "Margaret",
    "Linus",
    "Radia",
    "Tim",
    "Katherine",
]
LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Thompson",
    "Hamilton",
    "Torvalds",
    "Perlman",
]
PRODUCTS = [
    ("KB-01", "Mechanical keyboard", 8900),
    ("MS-02", "Wireless mouse", 2900),
    ("MN-27", "27-inch monitor", 27900),
    ("HD-05", "USB-C hub", 3900),
    ("CB-10", "Braided cable", 900),
    ("LP-14", "Laptop stand", 4500),
    ("WC-08", "Webcam", 6900),
    ("HS-03", "Headset", 11900),
]
# Where each order's life stops: most are done, some still moving, a few cancelled.
PATHS = {
    "PENDING": [],
    "CONFIRMED": ["CONFIRMED"],
    "SHIPPED": ["CONFIRMED", "SHIPPED"],
    "DELIVERED": ["CONFIRMED", "SHIPPED", "DELIVERED"],
    "CANCELLED": ["CANCELLED"],
}
WEIGHTS = {"PENDING": 15, "CONFIRMED": 15, "SHIPPED": 15, "DELIVERED": 45, "CANCELLED": 10}


class ClientCredentials(httpx.Auth):
    """A bearer token from the token endpoint, fetched again when an answer says it expired."""

    requires_response_body = True

    def __init__(self, token_url: str, client_id: str, client_secret: str) -> None:
        self.token_url = token_url
        self.credentials = (client_id, client_secret)
        self.token: str | None = None

    def token_request(self) -> httpx.Request:
        client_id, client_secret = self.credentials
        form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        return httpx.Request("POST", self.token_url, data=form)

    def keep(self, response: httpx.Response) -> None:
        if response.status_code != 200:
            raise SystemExit(f"sign-in as {self.credentials[0]} failed: {response.text}")
        self.token = str(response.json()["access_token"])

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.token is None:
            self.keep((yield self.token_request()))
        request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code == 401:
            self.keep((yield self.token_request()))
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request


async def create_customer(client: httpx.AsyncClient, n: int, rng: random.Random) -> str | None:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = f"{first}.{last}.{n}@example.com".lower()
    response = await client.post("/api/customers", json={"name": f"{first} {last}", "email": email})
    if response.status_code == 201:
        return str(response.json()["id"])
    if response.status_code == 409:
        found = await client.get("/api/customers", params={"q": email, "limit": 1})
        items = found.json()["items"]
        return str(items[0]["id"]) if items else None
    response.raise_for_status()
    return None


async def create_order(
    client: httpx.AsyncClient, n: int, customer_id: str, rng: random.Random
) -> None:
    lines = rng.sample(PRODUCTS, rng.randint(1, 4))
    body = {
        "customer_id": customer_id,
        "items": [
            {"sku": sku, "name": name, "quantity": rng.randint(1, 3), "unit_price_cents": price}
            for sku, name, price in lines
        ],
        "notes": rng.choice([None, None, "Leave at the door", "Gift wrap, please"]),
    }
    target = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    response = await client.post("/api/orders", json=body, headers={"Idempotency-Key": f"demo-{n}"})
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    # On a second run the order comes back as it was left, and the first step answers 409.
    for status in PATHS[target]:
        patched = await client.patch(
            f"/api/orders/{order['id']}",
            json={"status": status},
            headers={"If-Match": f'"{order["version"]}"'},
        )
        if patched.status_code != 200:
            break
        order = patched.json()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--gateway", default=os.environ.get("ORDERFLOW_GATEWAY_URL", "http://127.0.0.1:8000")
    )
    parser.add_argument(
        "--client-id", default=os.environ.get("ORDERFLOW_CLIENT_ID", "orderflow-cli")
    )
    parser.add_argument(
        "--client-secret", default=os.environ.get("ORDERFLOW_CLIENT_SECRET", "orderflow-cli-secret")
    )
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    limit = asyncio.Semaphore(args.concurrency)
    start = time.monotonic()

    auth = ClientCredentials(
        f"{args.gateway.rstrip('/')}/api/auth/token", args.client_id, args.client_secret
    )
    async with httpx.AsyncClient(base_url=args.gateway, timeout=30, auth=auth) as client:
        await client.get("/api/auth/me")  # one sign-in before the concurrent calls start

        async def bounded(coro: Any) -> Any:
            async with limit:
                return await coro

        customer_rngs = [random.Random(rng.random()) for _ in range(args.customers)]
        ids = await asyncio.gather(
            *(bounded(create_customer(client, n, r)) for n, r in enumerate(customer_rngs))
        )
        customer_ids = [i for i in ids if i]
        print(f"{len(customer_ids)} customers", flush=True)
        order_rngs = [random.Random(rng.random()) for _ in range(args.orders)]
        await asyncio.gather(
            *(
                bounded(create_order(client, n, r.choice(customer_ids), r))
                for n, r in enumerate(order_rngs)
            )
        )
        dashboard = (await client.get("/api/dashboard")).json()
    print(f"{args.orders} orders in {time.monotonic() - start:.1f}s", flush=True)
    print(f"dashboard: {dashboard.get('orders')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
