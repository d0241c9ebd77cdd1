from datetime import UTC, datetime

import pytest
from chassis import ProblemError, decode_cursor, encode_cursor, page_of


def test_cursor_round_trips_time_and_id() -> None:
    when = datetime(2026, 11, 26, 13, 0, 0, 123456, tzinfo=UTC)

    cursor = decode_cursor(encode_cursor(when, "b6c0"))

    assert (cursor.created_at, cursor.id) == (when, "b6c0")


def test_cursor_is_opaque_url_safe_text() -> None:
    token = encode_cursor(datetime.now(UTC), "0f5e9a4c-7b55-4c8e-9e1c-0d5f1f0e2a10")

    assert token.replace("-", "").replace("_", "").isalnum()


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "W10", "bnVsbA", "WyJ4IiwiYSJd", "WyIyMDI2LTExLTI2VDEzOjAwOjAwIiwiYSJd", "é"],
)
def test_foreign_cursor_is_a_422_problem(token: str) -> None:
    with pytest.raises(ProblemError) as caught:
        decode_cursor(token)

    assert caught.value.status == 422
    assert caught.value.errors is not None
    assert caught.value.errors[0].field == "cursor"


def test_page_of_cuts_the_lookahead_row_and_points_at_the_last_item() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [(when, "c"), (when, "b"), (when, "a")]

    items, next_cursor = page_of(rows, limit=2, key=lambda r: r)

    assert items == rows[:2]
    assert next_cursor is not None
    assert decode_cursor(next_cursor).id == "b"


def test_last_page_has_no_cursor() -> None:
    rows = [(datetime(2026, 1, 1, tzinfo=UTC), "a")]

    assert page_of(rows, limit=2, key=lambda r: r) == (rows, None)
