"""RFC 9457 problem details: the one error shape of every OrderFlow response.

Exceptions that become problems::

    ProblemError           raised by HTTP-facing code that knows the status it wants
    HTTPException          Starlette/FastAPI's own (404 for an unknown path, 405, ...)
    RequestValidationError FastAPI's input validation: 422 with ``errors``, or 400 for bad JSON
    <domain error>         any exception class registered in the service's ``problem_map``,
                           which says (``AsProblem``) its status, type, and what else it shows
    Exception              anything else: 500, logged with its traceback, no details leaked

Domain errors stay plain exceptions with plain attributes; only the table decides which of them
become members or headers of the answer, so HTTP never leaks into the domain.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from .logging import get_logger

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:orderflow:problem:"

log = get_logger(__name__)
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


class FieldError(BaseModel):
    """One invalid input field."""

    location: str = Field(description="Where the field is: body, query, path or header")
    field: str = Field(description="Dotted path of the field, e.g. items.0.quantity")
    message: str
    code: str


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


@dataclass(frozen=True, slots=True)
class InvalidField:
    """The input field a domain error is about; its message is the error's detail."""

    location: str
    field: str
    code: str


@dataclass(frozen=True, slots=True)
class AsProblem:
    """How a service answers one domain error: its status and type, and, computed from the
    error, the detail (``str(error)`` by default), the field it blames, extra members and
    headers."""

    status: int
    slug: str
    detail: Callable[[Any], str] | None = None
    invalid: InvalidField | None = None
    extra: Callable[[Any], Mapping[str, Any]] | None = None
    headers: Callable[[Any], Mapping[str, str]] | None = None

    def response(self, exc: Exception, instance: str) -> JSONResponse:
        detail = self.detail(exc) if self.detail is not None else str(exc)
        errors = None
        if self.invalid is not None:
            errors = [
                FieldError(
                    location=self.invalid.location,
                    field=self.invalid.field,
                    message=detail,
                    code=self.invalid.code,
                )
            ]
        return problem_response(
            self.status,
            detail,
            slug=self.slug,
            title=self.slug.replace("-", " ").capitalize(),
            instance=instance,
            headers=self.headers(exc) if self.headers is not None else None,
            errors=errors,
            **(self.extra(exc) if self.extra is not None else {}),
        )


ProblemMap = Mapping[type[Exception], AsProblem | tuple[int, str]]
"""A service's one table from domain errors to problems; ``(status, slug)`` is short for
``AsProblem(status, slug)``."""


def problem_type(slug: str) -> str:
    return PROBLEM_TYPE_BASE + slug


class ProblemError(Exception):
    """Raise to answer with a problem; ``extra`` members are added to the body."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        slug: str | None = None,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[FieldError] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or HTTPStatus(status).phrase)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.title = title or HTTPStatus(status).phrase
        self.headers = dict(headers or {})
        self.errors = list(errors) if errors is not None else None
        self.extra = extra


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    slug: str | None = None,
    title: str | None = None,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    errors: Sequence[FieldError | Mapping[str, Any]] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem_type(slug) if slug else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    if errors is not None:
        # Mappings too, so a domain error can name its fields without importing the chassis.
        body["errors"] = [FieldError.model_validate(e).model_dump() for e in errors]
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_CONTENT_TYPE)


def field_errors(errors: Sequence[Any]) -> list[FieldError]:
    """Pydantic/FastAPI error dicts as flat, readable field errors."""
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc and loc[0] in _LOCATIONS else "body"
        path = loc[1:] if loc and loc[0] == location else loc
        result.append(
            FieldError(
                location=location,
                field=".".join(path) or location,
                message=str(error.get("msg", "Invalid value")).removeprefix("Value error, "),
                code=str(error.get("type", "value_error")),
            )
        )
    return result


def _is_malformed_body(errors: Sequence[Any]) -> bool:
    return any(e.get("type") == "json_invalid" for e in errors)


def install_problem_handlers(
    app: FastAPI, problem_map: ProblemMap | None = None, *, database: bool = True
) -> None:
    """Make every error of ``app`` a problem+json response (``database``: its errors too)."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(
            exc.status,
            exc.detail,
            slug=exc.slug,
            title=exc.title,
            instance=request.url.path,
            headers=exc.headers,
            errors=exc.errors,
            **exc.extra,
        )

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 405:
            fallback = (exc.headers or {}).get("Allow")
            allow = allowed_methods(request, fallback)
            return problem_response(
                405, instance=request.url.path, headers={"Allow": allow} if allow else None
            )
        phrase = HTTPStatus(exc.status_code).phrase
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
        return problem_response(
            exc.status_code, detail, instance=request.url.path, headers=exc.headers
        )

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        if _is_malformed_body(errors):
            return problem_response(
                400,
                "The request body is not valid JSON.",
                slug="malformed-body",
                title="Malformed request body",
                instance=request.url.path,
            )
        return problem_response(
            422,
            "The request has invalid fields; see errors.",
            slug="validation-error",
            title="Invalid input",
            instance=request.url.path,
            errors=field_errors(errors),
        )

    async def on_database_busy(request: Request, exc: Exception) -> JSONResponse:
        # No free connection in time, or the database is gone: worth retrying, never a 500,
        # and never its SQL or address in the answer (the log has them).
        log.warning("database_unavailable", path=request.url.path, error=repr(exc))
        return problem_response(
            503,
            "The database is busy or unreachable; nothing was changed. Retry shortly.",
            slug="database-busy",
            title="Database busy",
            instance=request.url.path,
            headers={"Retry-After": "1"},
        )

    async def on_disconnect(request: Request, exc: Exception) -> Response:
        # The client left (or BodyLimitMiddleware answered 413 and cut it off): nobody reads
        # what is sent now, and it is no error of ours.
        return Response(status_code=400)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path)
        return problem_response(500, "An unexpected error occurred.", instance=request.url.path)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(ClientDisconnect, on_disconnect)
    if database:
        import sqlalchemy.exc  # only where there is a database to be busy

        app.add_exception_handler(sqlalchemy.exc.TimeoutError, on_database_busy)
        app.add_exception_handler(sqlalchemy.exc.OperationalError, on_database_busy)
        app.add_exception_handler(sqlalchemy.exc.InterfaceError, on_database_busy)
    app.add_exception_handler(Exception, on_unexpected)

    for exc_type, rule in (problem_map or {}).items():
        app.add_exception_handler(exc_type, _domain_handler(as_problem(rule)))


def as_problem(rule: AsProblem | tuple[int, str]) -> AsProblem:
    return rule if isinstance(rule, AsProblem) else AsProblem(*rule)


def _domain_handler(rule: AsProblem) -> Any:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return rule.response(exc, request.url.path)

    return handler


_TEMPLATE_PARAM = re.compile(r"\\{[^/]+?\\}")


def allowed_methods(request: Request, fallback: str | None) -> str | None:
    """The methods the API document gives this path. A path is served by one route per method,
    and the router's own 405 names only the first route it tried; and a path the document
    names literally (``/orders/stats``) is that path's, not also ``/orders/{order_id}``'s."""
    literal: list[str] = []
    templated: list[str] = []
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = _TEMPLATE_PARAM.sub("[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            found = literal if pattern == re.escape(template) else templated
            found += [method.upper() for method in operations if method != "parameters"]
    methods = literal or templated
    return ", ".join(m for m in METHODS if m in methods) if methods else fallback


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting problem answers for these statuses."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
