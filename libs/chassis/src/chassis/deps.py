"""FastAPI dependencies every service uses (those of a database in :mod:`chassis.db_deps`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from .pagination import DEFAULT_LIMIT, MAX_LIMIT
from .problems import AsProblem, InvalidField

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
    "LimitQuery",
]
