"""The identity service's API, as the gateway uses it: forwarded as it comes, never parsed."""

from __future__ import annotations

from ..client import UpstreamClient
from ..upstream import UpstreamResponse, UpstreamUnavailableError


class IdentityClient:
    def __init__(self, upstream: UpstreamClient) -> None:
        self.upstream = upstream

    async def token(self, *, body: bytes, headers: dict[str, str]) -> UpstreamResponse:
        return await self.upstream.request("POST", "/token", body=body, headers=headers)

    async def logout(self, *, body: bytes, headers: dict[str, str]) -> UpstreamResponse:
        return await self.upstream.request("POST", "/logout", body=body, headers=headers)

    async def me(self, *, headers: dict[str, str]) -> UpstreamResponse:
        return await self.upstream.request("GET", "/me", headers=headers)

    async def discovery(self) -> UpstreamResponse:
        return await self.upstream.request("GET", "/.well-known/openid-configuration")

    async def jwks(self) -> UpstreamResponse:
        return await self.upstream.request("GET", "/jwks.json")

    async def readiness(self) -> None:
        """Its own ``/readyz`` answers 200 (the dashboard's health of it); raises an
        ``UpstreamError`` otherwise."""
        response = await self.upstream.request("GET", "/readyz")
        if response.status != 200:
            raise UpstreamUnavailableError(
                f"its /readyz answered {response.status}", upstream=self.upstream.name
            )
