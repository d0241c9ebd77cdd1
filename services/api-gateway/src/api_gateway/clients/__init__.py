"""One typed client per upstream service, over :class:`~api_gateway.client.UpstreamClient`."""

from .customer import CustomerClient
from .identity import IdentityClient
from .order import OrderClient

__all__ = ["CustomerClient", "IdentityClient", "OrderClient"]
