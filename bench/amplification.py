"""The gateway's memory under many concurrent maximal pages, with and without its buffer budget.

``uv run python -m bench.amplification`` (about a minute): one customer and order service on
SQLite files, holding 100 orders of 100 items each, every text at its longest (a page of 100 is
the largest answer the API gives); two gateways in front of them, the shipped one (buffer budget
64 MiB) and the reference with the budget off (``GATEWAY_MAX_BUFFERED_BYTES=0``, the gateway as
it was). Each gets the same load in turn: ``CLIENTS`` clients at once, each asking for the
page ``ROUNDS`` times. Reported: the page's size, each gateway's peak resident memory (VmHWM)
above what it held before the load, the answers by status, and the ratio of the two peaks.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from orderflow_testing import ServiceProcess, Stack, free_port
from orderflow_testing.processes import ROOMY_BUDGETS

ORDERS = 100
ITEMS = 100
CLIENTS = 16
ROUNDS = 3
PAGE = "/api/orders?limit=100"


def _memory_kib(process: ServiceProcess, field: str) -> int:
    assert process.process is not None
    for line in Path(f"/proc/{process.process.pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _largest_order(customer_id: str) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "items": [
            {
                "sku": f"SKU-{i:03d}-" + "S" * 56,
                "name": "é" * 200,  # two bytes each in UTF-8
                "quantity": 1000,
                "unit_price_cents": 100_000_000,
            }
            for i in range(ITEMS)
        ],
        "notes": "n" * 2000,
    }


def _gateway(stack: Stack, workdir: Path, name: str, **env: str) -> ServiceProcess:
    port = free_port()
    return ServiceProcess(
        name,
        "orderflow-gateway",
        port=port,
        log_dir=workdir,
        env={
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(port),
            "GATEWAY_ACCESS_LOG": "false",
            **ROOMY_BUDGETS,  # the proxy's memory is measured here, not the budgets
            # The order service takes seconds for each of many maximal pages at once: wait for
            # them, so that every page passes through the gateway's memory.
            "GATEWAY_ORDER_READ_TIMEOUT": "120",
            "GATEWAY_QUEUE_TIMEOUT": "120",
            "GATEWAY_CUSTOMER_SERVICE_URL": stack.customer.url,
            "GATEWAY_ORDER_SERVICE_URL": stack.order.url,
            **env,
        },
    )


async def _load(url: str, clients: int, rounds: int) -> tuple[Counter[int], float]:
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def one_client() -> None:
            for _ in range(rounds):
                response = await client.get(PAGE)
                statuses[response.status_code] += 1

        start = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        return statuses, time.perf_counter() - start


def measure(clients: int = CLIENTS, rounds: int = ROUNDS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="orderflow-amplification-") as tmp:
        workdir = Path(tmp)
        stack = Stack(workdir, env={"gateway": {"GATEWAY_ACCESS_LOG": "false"}})
        stack.customer.start()
        stack.order.start()
        gateways = {
            "budget 64 MiB (shipped)": _gateway(stack, workdir, "bounded"),
            "no budget (reference)": _gateway(
                stack, workdir, "unbounded", GATEWAY_MAX_BUFFERED_BYTES="0"
            ),
        }
        try:
            for gateway in gateways.values():
                gateway.start()
            api = httpx.Client(base_url=next(iter(gateways.values())).url, timeout=60)
            email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
            customer = api.post("/api/customers", json={"name": "Bench", "email": email}).json()
            for _ in range(ORDERS):
                created = api.post("/api/orders", json=_largest_order(customer["id"]))
                assert created.status_code == 201, created.text
            page_bytes = len(api.get(PAGE).content)
            results: dict[str, Any] = {"page_bytes": page_bytes, "gateways": {}}
            for name, gateway in gateways.items():
                before = _memory_kib(gateway, "VmRSS")
                statuses, seconds = asyncio.run(_load(gateway.url, clients, rounds))
                results["gateways"][name] = {
                    "peak_above_idle_mib": (_memory_kib(gateway, "VmHWM") - before) / 1024,
                    "statuses": dict(sorted(statuses.items())),
                    "seconds": seconds,
                }
            results["errors"] = [
                line[:400]
                for process in (stack.order, *gateways.values())
                for line in process.logs().splitlines()
                if '"level": "error"' in line or '"level": "warning"' in line
            ][:6]
            return results
        finally:
            for gateway in gateways.values():
                gateway.stop()
            stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.amplification", description=__doc__)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    results = measure(args.clients, args.rounds)
    print(f"one page of {ORDERS} orders x {ITEMS} items: {results['page_bytes'] / 2**20:.1f} MiB")
    print(f"{args.clients} clients at once, {args.rounds} pages each\n")
    print("| gateway | peak memory above idle | answers | time |")
    print("| --- | ---: | --- | ---: |")
    peaks = []
    for name, result in results["gateways"].items():
        peaks.append(result["peak_above_idle_mib"])
        answers = ", ".join(f"{n} x {status}" for status, n in result["statuses"].items())
        print(
            f"| {name} | {result['peak_above_idle_mib']:.0f} MiB | {answers} "
            f"| {result['seconds']:.1f} s |"
        )
    print(f"\nshipped / reference peak: {peaks[0] / peaks[1]:.2f}")
    for line in results["errors"]:
        print(line)


if __name__ == "__main__":
    main()
