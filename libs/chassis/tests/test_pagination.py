import base64
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from chassis import InvalidCursorError, decode_cursor, encode_cursor, page_of
from hypothesis import given
from hypothesis import strategies as st

ID = "0f5e9a4c-7b55-4c8e-9e1c-0d5f1f0e2a10"
utc_times = st.datetimes(timezones=st.just(UTC))


def token_of(value: object) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@given(when=utc_times, id_=st.uuids().map(str))
def test_every_cursor_we_issue_round_trips(when: datetime, id_: str) -> None:
    cursor = decode_cursor(encode_cursor(when, id_))

    assert (cursor.created_at, cursor.id) == (when, id_)


def test_cursor_is_opaque_url_safe_text() -> None:
    token = encode_cursor(datetime.now(UTC), ID)

    assert token.replace("-", "").replace("_", "").isalnum()


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "é",
        "W10",  # []
        "bnVsbA",  # null
        token_of(["x", ID]),
        token_of(["2026-11-26T13:00:00", ID]),  # no offset
        token_of(["0001-01-01T00:00:00+01:00", "x"]),  # year 0 once in UTC: a 500 before
        token_of(["9999-12-31T23:00:00-01:00", ID]),  # year 10000 once in UTC
        token_of(["2026-01-01T00:00:00+00:00", "\ud800"]),  # a lone surrogate as the id
        token_of(["2026-01-01T00:00:00+00:00", "\x00"]),  # NUL as the id
        token_of(["2026-01-01T00:00:00+00:00", ID.upper()]),  # not how we write ids
        token_of(["2026-01-01T00:00:00+00:00", ID, "x"]),
        token_of({"2026-01-01T00:00:00+00:00": 1, ID: 2}),
        token_of(["2026-01-01T00:00:00+00:00", 7]),
        token_of(b"\xff\xfe\x00["),  # not UTF-8
        token_of(b"[" * 300),
        encode_cursor(datetime(2026, 1, 1, tzinfo=UTC), ID) + "=",  # padded
        encode_cursor(datetime(2026, 1, 1, tzinfo=UTC), ID) + "AAAA",
        encode_cursor(datetime(2026, 1, 1, tzinfo=UTC), ID) * 2,
        token_of(["2026-01-01T00:00:00Z", ID]),  # the same time, spelt otherwise
        token_of(["2026-01-01T00:00:00+00:00", ID]),  # JSON spaced as json.dumps spaces it
    ],
)
def test_a_cursor_we_did_not_issue_is_refused(token: str) -> None:
    with pytest.raises(InvalidCursorError):
        decode_cursor(token)


def test_a_cursor_in_another_offset_is_refused_even_when_the_instant_is_fine() -> None:
    when = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2)))

    with pytest.raises(InvalidCursorError):
        decode_cursor(encode_cursor(when, ID))


@given(token=st.text(max_size=200))
def test_no_text_makes_the_decoder_raise_anything_but_invalid_cursor(token: str) -> None:
    try:
        cursor = decode_cursor(token)
    except InvalidCursorError:
        return
    assert encode_cursor(cursor.created_at, cursor.id) == token


@given(when=utc_times, id_=st.uuids().map(str), cut=st.integers(min_value=1, max_value=99))
def test_a_truncated_cursor_is_refused(when: datetime, id_: str, cut: int) -> None:
    token = encode_cursor(when, id_)

    with pytest.raises(InvalidCursorError):
        decode_cursor(token[: len(token) - min(cut, len(token))])


def test_the_cursor_error_is_plain_not_http() -> None:
    assert not hasattr(InvalidCursorError(), "status")
    assert isinstance(InvalidCursorError(), ValueError)


def test_page_of_cuts_the_lookahead_row_and_points_at_the_last_item() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    ids = sorted((str(uuid.uuid4()) for _ in range(3)), reverse=True)
    rows = [(when, i) for i in ids]

    items, next_cursor = page_of(rows, limit=2, key=lambda r: r)

    assert items == rows[:2]
    assert next_cursor is not None
    assert decode_cursor(next_cursor).id == ids[1]


def test_last_page_has_no_cursor() -> None:
    rows = [(datetime(2026, 1, 1, tzinfo=UTC), ID)]

    assert page_of(rows, limit=2, key=lambda r: r) == (rows, None)
