"""The customer service's internal API, as the gateway uses it."""

from __future__ import annotations

from typing import Any

import orjson

from ..client import UpstreamClient, with_query
from ..upstream import UpstreamResponse

JSON = {"Content-Type": "application/json"}


class CustomerClient:
    def __init__(self, upstream: UpstreamClient) -> None:
        self.upstream = upstream

    async def create(self, *, body: bytes, headers: dict[str, str]) -> UpstreamResponse:
        return await self.upstream.request("POST", "/customers", body=body, headers=headers)

    async def get_all(self, *, query: str) -> UpstreamResponse:
        return await self.upstream.request("GET", with_query("/customers", query))

    async def get(self, *, customer_id: str) -> UpstreamResponse:
        return await self.upstream.request("GET", f"/customers/{customer_id}")

    async def update(
        self, *, customer_id: str, body: bytes, headers: dict[str, str]
    ) -> UpstreamResponse:
        return await self.upstream.request(
            "PATCH", f"/customers/{customer_id}", body=body, headers=headers
        )

    async def get_summaries(self, *, ids: list[str]) -> dict[str, dict[str, Any]]:
        """``{id: {id, name, email}}`` for the ids that exist, in one call."""
        response = await self.upstream.request(
            "POST", "/customers/batch", body=orjson.dumps({"ids": ids}), headers=JSON
        )
        if response.status != 200:
            raise response.unusable(f"the batch answered {response.status}")
        return {item["id"]: item for item in response.json()["items"]}

    async def get_stats(self) -> dict[str, int]:
        """``{"total": n}``, counted by the customer service's database."""
        response = await self.upstream.request("GET", "/customers/stats")
        if response.status != 200:
            raise response.unusable(f"stats answered {response.status}")
        try:
            return {"total": int(response.json()["total"])}
        except (KeyError, TypeError, ValueError) as exc:
            raise response.unusable("stats have an unexpected shape") from exc
