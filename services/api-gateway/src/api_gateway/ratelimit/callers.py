"""Who a request counts against: the token's ``sub``, or else the client's address.

The address is the TCP peer's, unless that peer is one of the configured trusted proxies (the
Ingress): then ``X-Forwarded-For`` is read from the right, past every trusted proxy, to the
first address that is not one. A client can write anything into that header, so nothing in it
is believed beyond the last proxy we trust. IPv6 clients count per /64: one machine usually
has a whole /64 to choose addresses from.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.types import Scope

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """``10.0.0.0/8``, ``192.0.2.7`` or ``2001:db8::/32``; a ValueError names a bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an address or network: {value!r}") from None
    return tuple(networks)


def _address(text: str) -> IPAddress | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, proxies: Sequence[IPNetwork]) -> bool:
    return any(address in network for network in proxies)


def client_address(scope: Scope, trusted_proxies: Sequence[IPNetwork] = ()) -> IPAddress | None:
    """The client's address as far as it can be believed; None when the server cannot say."""
    client: Any = scope.get("client")
    peer = _address(str(client[0])) if client else None
    if peer is None or not trusted_proxies or not _trusted(peer, trusted_proxies):
        return peer
    hops: list[str] = []
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-for":
            hops.extend(value.decode("latin-1").split(","))
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return peer  # a mangled chain: believe only the proxy that handed it to us
        if not _trusted(address, trusted_proxies):
            return address
        peer = address
    return peer


def address_key(address: IPAddress | None) -> str:
    """The budget's name for an address: itself, or its /64 for IPv6."""
    if address is None:
        return UNKNOWN
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
