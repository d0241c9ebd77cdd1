"""Cursors an attacker would try, as hypothesis strategies: shaped like the ones we issue (a
base64url JSON pair of a time and an id) and then wrong in every way that once reached a query.

Shared by the hostile-input suite and by drill 4's schemathesis hooks.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def token_of(value: Any) -> str:
    return b64(json.dumps(value).encode("utf-8", "surrogatepass"))


def issued(created_at: datetime, id_: str) -> str:
    """A cursor exactly as the services make one."""
    return b64(json.dumps([created_at.isoformat(), id_], separators=(",", ":")).encode())


offsets = st.integers(min_value=-23 * 60, max_value=23 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
# Every year Python knows, with any offset: year 1 or 9999 plus an offset leaves the range.
times = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).flatmap(
    lambda naive: offsets.map(lambda tz: naive.replace(tzinfo=tz))
)
utc_times = st.datetimes(timezones=st.just(UTC))
ids = st.uuids().map(str)
hostile_ids = st.one_of(
    st.text(max_size=80),  # NUL, lone surrogates, anything
    ids.map(str.upper),
    st.just("\x00"),
    st.just("\ud800"),
    st.just("x" * 10_000),
)
wrong_types = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.lists(st.integers(), max_size=3)
)
time_texts = st.one_of(times.map(datetime.isoformat), st.text(max_size=40))

forged = st.one_of(
    st.tuples(times.map(datetime.isoformat), st.one_of(ids, hostile_ids)).map(
        lambda pair: token_of(list(pair))
    ),
    st.tuples(utc_times.map(datetime.isoformat), hostile_ids).map(
        lambda pair: token_of(list(pair))
    ),
    st.tuples(st.one_of(time_texts, wrong_types), st.one_of(ids, wrong_types)).map(
        lambda pair: token_of(list(pair))
    ),
    st.lists(st.one_of(time_texts, ids, wrong_types), max_size=4).map(token_of),
    st.dictionaries(st.text(max_size=10), wrong_types, max_size=3).map(token_of),
    wrong_types.map(token_of),
)
real_shaped = st.builds(issued, utc_times, ids)
truncated = st.tuples(real_shaped, st.integers(min_value=1, max_value=99)).map(
    lambda pair: pair[0][: max(0, len(pair[0]) - pair[1])]
)
oversized = st.one_of(
    st.builds(lambda t, n: t * n, real_shaped, st.integers(min_value=2, max_value=12)),
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        min_size=101,
        max_size=2000,
    ),
)
not_utf8 = st.binary(min_size=1, max_size=80).filter(lambda raw: not _decodes(raw)).map(b64)
not_base64 = st.text(max_size=120)

hostile_cursors = st.one_of(forged, truncated, oversized, not_utf8, not_base64)
"""Cursors no service issued: each must be a 4xx problem, never a 5xx."""

any_cursor = st.one_of(hostile_cursors, real_shaped)
"""The above and well-formed ones pointing anywhere (those may be a 200)."""


def _decodes(raw: bytes) -> bool:
    try:
        raw.decode()
    except UnicodeDecodeError:
        return False
    return True


def fresh_id() -> str:
    return str(uuid.uuid4())
