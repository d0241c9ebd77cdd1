"""The order service's internal API, as the gateway uses it."""

from __future__ import annotations

from typing import Any

from ..client import UpstreamClient, with_query
from ..upstream import UpstreamResponse


class OrderClient:
    def __init__(self, upstream: UpstreamClient) -> None:
        self.upstream = upstream

    async def create(self, *, body: bytes, headers: dict[str, str]) -> UpstreamResponse:
        return await self.upstream.request("POST", "/orders", body=body, headers=headers)

    async def get_all(self, *, query: str) -> UpstreamResponse:
        return await self.upstream.request("GET", with_query("/orders", query))

    async def get(self, *, order_id: str) -> UpstreamResponse:
        return await self.upstream.request("GET", f"/orders/{order_id}")

    async def update(
        self, *, order_id: str, body: bytes, headers: dict[str, str]
    ) -> UpstreamResponse:
        return await self.upstream.request(
            "PATCH", f"/orders/{order_id}", body=body, headers=headers
        )

    async def get_config(self) -> UpstreamResponse:
        return await self.upstream.request("GET", "/orders/config")

    async def get_stats(self) -> dict[str, Any]:
        """``{"total", "by_status": {STATUS: n}, "revenue_cents", "currency"}`` from the order
        database."""
        response = await self.upstream.request("GET", "/orders/stats")
        if response.status != 200:
            raise response.unusable(f"stats answered {response.status}")
        try:
            stats = response.json()
            return {
                "total": int(stats["total"]),
                "by_status": {str(k): int(v) for k, v in stats["by_status"].items()},
                "revenue_cents": int(stats["revenue_cents"]),
                "currency": _currency(stats["currency"]),
            }
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise response.unusable("stats have an unexpected shape") from exc


def _currency(value: object) -> str:
    """An ISO 4217 code, three capital letters, or a ValueError."""
    if not (isinstance(value, str) and len(value) == 3 and value.isascii() and value.isupper()):
        raise ValueError("not a currency code")
    return value
