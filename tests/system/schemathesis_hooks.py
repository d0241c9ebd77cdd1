"""Drill 4's schemathesis hooks (loaded through SCHEMATHESIS_HOOKS): every operation that pages
is also sent cursors shaped like the ones the services issue, and forged, truncated, oversized
and non-UTF-8 ones, instead of only the random strings its schema would suggest."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from cursors import any_cursor


def _pages(ctx: schemathesis.HookContext) -> bool:
    operation = ctx.operation
    return operation is not None and any(p.name == "cursor" for p in operation.query)


@schemathesis.hook
def flatmap_query(ctx: schemathesis.HookContext, query: Any) -> st.SearchStrategy[Any]:
    if not _pages(ctx) or not (query is None or isinstance(query, dict)):
        return st.just(query)
    return st.one_of(
        st.just(query), any_cursor.map(lambda cursor: {**(query or {}), "cursor": cursor})
    )
