"""Opaque keyset pagination, newest first: stable while rows are inserted, no OFFSET.

A cursor names the last row of a page by ``(created_at, id)``; the next page is the rows
strictly older than it in that order. Tables index ``(created_at, id)`` (after any equality
filter columns) so that every page costs the same, however deep.

A cursor comes from the client, so it is validated whole before it reaches a query: it must be
exactly a token :func:`encode_cursor` could have made (a UTC time and an id shaped like the
UUIDs we issue), or :class:`InvalidCursorError`, a plain error each service's problem table
answers with a 422.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:  # a process that only pages through others' answers loads no SQLAlchemy
    from sqlalchemy import Select
    from sqlalchemy.orm import InstrumentedAttribute

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# The longest token encode_cursor makes: a time with microseconds and a UUID.
MAX_CURSOR_LENGTH = 100
_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_CURSOR_LENGTH}}}")


class Page(BaseModel, Generic[T]):
    """A page of a list, newest first; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Cursor:
    created_at: datetime
    id: str


class InvalidCursorError(ValueError):
    def __init__(self) -> None:
        super().__init__("The cursor is not one this service issued.")


def encode_cursor(created_at: datetime, id_: str) -> str:
    raw = json.dumps([created_at.isoformat(), id_], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> Cursor:
    """The position ``token`` names; :class:`InvalidCursorError` unless we could have issued it."""
    if not _TOKEN.fullmatch(token):
        raise InvalidCursorError()
    try:
        created_at, id_ = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        parsed = datetime.fromisoformat(created_at)
        canonical_id = str(uuid.UUID(id_))
    except (binascii.Error, ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise InvalidCursorError() from exc
    # Only UTC, as issued: an offset could carry year 1 or 9999 out of every database's range.
    if parsed.utcoffset() != timedelta(0) or canonical_id != id_:
        raise InvalidCursorError()
    # Byte for byte what we would issue: no other spelling (spaces, padding, escapes) passes.
    if encode_cursor(parsed, id_) != token:
        raise InvalidCursorError()
    return Cursor(created_at=parsed, id=id_)


def keyset(
    stmt: Select[Any],
    *,
    created_at: InstrumentedAttribute[datetime],
    id_: InstrumentedAttribute[str],
    cursor: str | None,
    limit: int,
) -> Select[Any]:
    """Newest first, after ``cursor``; one extra row is fetched to see if more follow."""
    from sqlalchemy import and_, or_

    if cursor is not None:
        after = decode_cursor(cursor)
        # The leading `<=` lets every backend seek the index; the OR breaks ties on id.
        stmt = stmt.where(
            and_(
                created_at <= after.created_at,
                or_(created_at < after.created_at, id_ < after.id),
            )
        )
    return stmt.order_by(created_at.desc(), id_.desc()).limit(limit + 1)


def page_of(
    rows: Sequence[T], *, limit: int, key: Callable[[T], tuple[datetime, str]]
) -> tuple[list[T], str | None]:
    """Cut the extra row fetched by :func:`keyset` and make the cursor for the next page."""
    items = list(rows[:limit])
    next_cursor = encode_cursor(*key(items[-1])) if len(rows) > limit and items else None
    return items, next_cursor
