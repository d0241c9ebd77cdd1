"""The dependency of a route that reads or writes its service's database."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .db import Database


async def get_database(request: Request) -> Database:
    # async: FastAPI would run a plain function in its thread pool, a thread round trip each.
    db: Database = request.app.state.db
    return db


DatabaseDep = Annotated[Database, Depends(get_database)]

__all__ = ["DatabaseDep", "get_database"]
