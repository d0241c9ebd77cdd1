"""FastAPI dependencies every service uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from .db import Database
from .pagination import DEFAULT_LIMIT, MAX_LIMIT
from .problems import AsProblem, InvalidField


async def get_database(request: Request) -> Database:
    # async: FastAPI would run a plain function in its thread pool, a thread round trip each.
    db: Database = request.app.state.db
    return db


DatabaseDep = Annotated[Database, Depends(get_database)]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1..{MAX_LIMIT}")]
CursorQuery = Annotated[
    str | None,
    Query(max_length=512, description="Opaque cursor from the previous page's next_cursor"),
]
INVALID_CURSOR = AsProblem(
    422, "invalid-cursor", invalid=InvalidField("query", "cursor", "invalid_cursor")
)
"""The problem-table entry for ``InvalidCursorError``, the same in every service that pages."""

__all__ = [
    "DEFAULT_LIMIT",
    "INVALID_CURSOR",
    "CursorQuery",
    "DatabaseDep",
    "LimitQuery",
    "get_database",
]
