"""Field types that several services validate the same way."""

from __future__ import annotations

import re
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field

# A lone surrogate gets past json.loads but cannot be encoded as UTF-8 for any database.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it on every backend rather than fail on one.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if _SURROGATE.search(value):
        raise ValueError("must be valid Unicode text (no lone surrogates)")
    return value


def _email(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    return value  # stored as given; compared case-insensitively by the database


NoNul = AfterValidator(_no_nul)
"""Refuse what no database column holds, NUL characters and lone surrogates:
``Annotated[str, StringConstraints(...), NoNul]``."""

Text = Annotated[str, NoNul]
EmailAddress = Annotated[
    str,
    Field(max_length=320, examples=["ada@example.com"]),
    NoNul,
    AfterValidator(_email),
]
