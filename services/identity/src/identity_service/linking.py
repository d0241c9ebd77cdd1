"""The demo customer's link to its customer record, made in the background.

The customer service may start after this one, so the link is retried until it is made. Until
then the demo customer's tokens carry ``customer_id: null``, and this service's readiness says
it is not ready: ``make run`` prints "all ready" only once the link is in place.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
from chassis import get_logger, utcnow

from . import service as identity_service
from .service import DEMO_CUSTOMER_EMAIL, Identity
from .tokens import Subject

log = get_logger(__name__)

SELF = Subject(
    sub="orderflow-identity",
    roles=["admin"],
    email=None,
    name="OrderFlow identity service",
)
SELF_TOKEN_SECONDS = 60


class CustomerLinkError(Exception):
    pass


class CustomerLinker:
    """Finds, or creates, the customer record with the demo customer's email and links it."""

    def __init__(self, ctx: Identity, client: httpx.AsyncClient) -> None:
        self.ctx = ctx
        self.client = client
        self.linked: asyncio.Event = asyncio.Event()

    def _headers(self) -> dict[str, str]:
        # A token of its own, minted for each attempt: the customer service verifies it like any.
        token = self.ctx.issuer.access_token(
            SELF, now=utcnow(), lifetime_seconds=SELF_TOKEN_SECONDS
        )
        return {"Authorization": f"Bearer {token.token}"}

    async def _find(self, email: str) -> str | None:
        response = await self.client.get(
            "/customers", params={"q": email, "limit": 100}, headers=self._headers()
        )
        if response.status_code != 200:
            raise CustomerLinkError(f"customer search answered {response.status_code}")
        items: list[dict[str, Any]] = response.json()["items"]
        for item in items:
            if str(item["email"]).lower() == email.lower():
                return str(item["id"])
        return None

    async def link_once(self) -> str:
        user_email = DEMO_CUSTOMER_EMAIL
        customer_id = await self._find(user_email)
        if customer_id is None:
            response = await self.client.post(
                "/customers",
                json={"name": "Demo Customer", "email": user_email},
                headers=self._headers(),
            )
            if response.status_code == 201:
                customer_id = str(response.json()["id"])
            elif response.status_code == 409:  # created meanwhile by someone else
                customer_id = await self._find(user_email)
            if customer_id is None:
                raise CustomerLinkError(f"customer create answered {response.status_code}")
        await identity_service.link_customer(self.ctx.db, email=user_email, customer_id=customer_id)
        return customer_id

    async def run(self) -> None:
        """Until linked: try, wait (growing, jittered, at most the configured ceiling), retry."""
        delay = 0.1
        ceiling = self.ctx.settings.customer_link_retry_max_seconds
        attempt = 0
        while True:
            attempt += 1
            try:
                customer_id = await self.link_once()
            except (httpx.HTTPError, CustomerLinkError, KeyError, ValueError) as exc:
                if attempt == 1 or attempt % 10 == 0:
                    log.info("demo_customer_link_pending", attempt=attempt, reason=str(exc))
            else:
                log.info("demo_customer_linked", customer_id=customer_id, attempt=attempt)
                self.linked.set()
                return
            await asyncio.sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, ceiling)

    async def readiness(self) -> dict[str, Any]:
        if not self.linked.is_set():
            raise CustomerLinkError("the demo customer is not linked to its customer record yet")
        return {"linked": True}
