"""Field types that several services validate the same way."""

from __future__ import annotations

from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it on every backend rather than fail on one.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _email(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    return value  # stored as given; compared case-insensitively by the database


NoNul = AfterValidator(_no_nul)
"""Refuse NUL characters: ``Annotated[str, StringConstraints(...), NoNul]``."""

Text = Annotated[str, NoNul]
EmailAddress = Annotated[
    str,
    Field(max_length=320, examples=["ada@example.com"]),
    AfterValidator(_email),
]
