"""Request bodies, passed on as they came.

The chassis has already refused, before a route runs, a body in a media type the operation
does not declare (415) and one over ``GATEWAY_MAX_BODY_BYTES`` (413, counted as it streams in,
whatever Content-Length says); what is left is read here once and forwarded byte for byte.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request


async def read_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(read_body)]
