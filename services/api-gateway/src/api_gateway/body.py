"""Request bodies, refused with 413 past the limit before they are read whole."""

from __future__ import annotations

from typing import Annotated

from chassis import ProblemError
from fastapi import Depends, Request


def too_large(limit: int) -> ProblemError:
    return ProblemError(
        413,
        f"The request body is larger than {limit} bytes.",
        slug="body-too-large",
        title="Request body too large",
    )


async def read_body(request: Request) -> bytes:
    """The body, counted as it streams in: a missing or lying Content-Length does not help."""
    limit: int = request.app.state.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


RawBody = Annotated[bytes, Depends(read_body)]
