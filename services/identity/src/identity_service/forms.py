"""What the token and logout endpoints read: a form body (RFC 6749), HTTP Basic, the cookie."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_plus

from fastapi import Request

from .domain import InvalidClientError, InvalidRequestError

FORM = "application/x-www-form-urlencoded"
MAX_FIELD_LENGTH = 4096


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def check_form(request: Request, *, optional: bool = False) -> None:
    """Refuse, with ``invalid_request``, a body that is not a form (a JSON one included), a
    field given twice (RFC 6749 section 3.2), one too long or holding a NUL character. With
    ``optional`` no body at all is allowed too."""
    if media_type(request) != FORM:
        if optional and not await request.body():
            return
        raise InvalidRequestError(f"The body must be {FORM}.")
    seen: set[str] = set()
    for name, value in (await request.form()).multi_items():
        if name in seen:
            raise InvalidRequestError(f"{name} is given more than once.")
        seen.add(name)
        if not isinstance(value, str):
            raise InvalidRequestError(f"{name} must be text.")
        if len(value) > MAX_FIELD_LENGTH or "\x00" in value:
            raise InvalidRequestError(f"{name} is too long or holds a NUL character.")


async def form_body(request: Request) -> None:
    await check_form(request)


async def optional_form_body(request: Request) -> None:
    await check_form(request, optional=True)


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """``(client_id, client_secret)`` from ``Authorization: Basic``, decoded as RFC 6749
    section 2.3.1 says (form-encoded, then base64); None without that header."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClientError("The Basic credentials are malformed.") from None
    client_id, colon, secret = decoded.partition(":")
    if not colon or not client_id:
        raise InvalidClientError("The Basic credentials are malformed.")
    return unquote_plus(client_id), unquote_plus(secret)


def is_https(request: Request) -> bool:
    """Whether the client's request came over TLS, here or at the proxy in front (the gateway
    passes ``X-Forwarded-Proto`` on): the refresh cookie is ``Secure`` only then."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"
