"""Load a realistic data set through the public API: `make demo` (the system must be running).

A few hundred customers and a few thousand orders in every status, created exactly as a client
would create them, through the gateway, signed in as a script signs in: the client credentials
grant of the development client `orderflow-cli` (or `--token`/ORDERFLOW_TOKEN, a token got
elsewhere). Safe to run twice: emails and idempotency keys are deterministic, and keys belong
to the caller, so a second run by the same client adds nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
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


async def sign_in(client: httpx.AsyncClient, args: argparse.Namespace) -> str:
    """An access token: the one given, or one from the token endpoint (client credentials)."""
    if args.token:
        return str(args.token)
    response = await client.post(
        "/api/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": args.client_id,
            "client_secret": args.client_secret,
        },
    )
    if response.status_code != 200:
        raise SystemExit(
            f"could not sign in as {args.client_id}: {response.status_code} {response.text[:200]}"
        )
    return str(response.json()["access_token"])


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--gateway", default=os.environ.get("ORDERFLOW_GATEWAY_URL", "http://127.0.0.1:8000")
    )
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--token", default=os.environ.get("ORDERFLOW_TOKEN"))
    parser.add_argument(
        "--client-id", default=os.environ.get("ORDERFLOW_CLIENT_ID", "orderflow-cli")
    )
    parser.add_argument(
        "--client-secret",
        default=os.environ.get("ORDERFLOW_CLIENT_SECRET", "orderflow-cli-secret"),
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    limit = asyncio.Semaphore(args.concurrency)
    start = time.monotonic()

    async with httpx.AsyncClient(base_url=args.gateway, timeout=30) as client:
        client.headers["Authorization"] = f"Bearer {await sign_in(client, args)}"

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
