"""The customer service as this service sees it: does a customer exist?

One pooled client, opened in the app's lifespan, with short timeouts: an order is never written
for a customer we could not confirm, and a slow customer service fails fast with a 503 instead
of holding the caller.
"""

from __future__ import annotations

import httpx
from chassis import create_client, get_logger

from .domain import CustomerNotFoundError, CustomerServiceUnavailableError
from .settings import OrderSettings

log = get_logger(__name__)
CUSTOMER_NOT_FOUND_TYPE = "urn:orderflow:problem:customer-not-found"


class CustomerDirectory:
    """Asks the customer service about customers, over one pooled HTTP client."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    @classmethod
    def open(
        cls, settings: OrderSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> CustomerDirectory:
        return cls(
            create_client(
                settings.customer_service_url,
                timeout=settings.customer_read_timeout,
                connect_timeout=settings.customer_connect_timeout,
                transport=transport,
            )
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def ensure_exists(self, customer_id: str, *, authorization: str) -> None:
        """Return if the customer exists for this caller (``authorization``: its bearer token,
        passed on); raise ``CustomerNotFoundError`` if the customer service says it does not,
        ``CustomerServiceUnavailableError`` if it cannot say."""
        try:
            response = await self.client.get(
                f"/customers/{customer_id}", headers={"Authorization": authorization}
            )
        except httpx.TimeoutException as exc:
            log.warning("customer_check_failed", reason="timeout", error=repr(exc))
            raise CustomerServiceUnavailableError("timed out") from exc
        except httpx.HTTPError as exc:
            log.warning("customer_check_failed", reason="unreachable", error=repr(exc))
            raise CustomerServiceUnavailableError("unreachable") from exc
        if response.status_code == httpx.codes.OK:
            return
        if response.status_code == httpx.codes.NOT_FOUND and _names_missing_customer(response):
            raise CustomerNotFoundError(customer_id)
        log.warning("customer_check_failed", reason="status", status=response.status_code)
        raise CustomerServiceUnavailableError(f"answered {response.status_code}")


def _names_missing_customer(response: httpx.Response) -> bool:
    # A 404 for an unknown *path* (a wrong CUSTOMER_SERVICE_URL) must not pass for an unknown
    # customer: that would blame the client for our misconfiguration.
    try:
        problem = response.json()
    except ValueError:
        return False
    return isinstance(problem, dict) and problem.get("type") == CUSTOMER_NOT_FOUND_TYPE
