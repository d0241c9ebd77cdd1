"""The OrderFlow service chassis: the plumbing every service shares, written once.

What needs a database (``Database``, ``DatabaseDep``, ...) is imported when first named, so a
component without one, the gateway, never loads SQLAlchemy."""

from typing import TYPE_CHECKING, Any

from . import spans
from .access import CallerDep, require_principal, require_roles
from .app import Storage, create_app, migrate, run_service
from .auth import InvalidTokenError, Principal, TokenVerifier
from .deps import INVALID_CURSOR, CursorQuery, LimitQuery
from .fields import EmailAddress, NoNul, Text
from .http import create_client
from .logging import configure_logging, get_logger
from .observe import add_log_fields, append_log_field
from .pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    InvalidCursorError,
    Page,
    decode_cursor,
    encode_cursor,
    keyset,
    page_of,
)
from .problems import (
    PROBLEM_CONTENT_TYPE,
    AsProblem,
    FieldError,
    InvalidField,
    Problem,
    ProblemError,
    problem_response,
    problem_responses,
)
from .request_id import REQUEST_ID_HEADER, current_request_id, outgoing_headers
from .server import serve
from .settings import MEMORY_DATABASE_URL, ServiceSettings

if TYPE_CHECKING:
    from .db import Database, Query, naming_metadata
    from .db_deps import DatabaseDep
    from .types import UTCDateTime, utcnow

_WITH_A_DATABASE = {
    "Database": "db",
    "Query": "db",
    "naming_metadata": "db",
    "DatabaseDep": "db_deps",
    "UTCDateTime": "types",
    "utcnow": "types",
}


def __getattr__(name: str) -> Any:
    module = _WITH_A_DATABASE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_LIMIT",
    "INVALID_CURSOR",
    "MAX_LIMIT",
    "MEMORY_DATABASE_URL",
    "PROBLEM_CONTENT_TYPE",
    "REQUEST_ID_HEADER",
    "AsProblem",
    "CallerDep",
    "CursorQuery",
    "Database",
    "DatabaseDep",
    "EmailAddress",
    "FieldError",
    "InvalidCursorError",
    "InvalidField",
    "InvalidTokenError",
    "LimitQuery",
    "NoNul",
    "Page",
    "Principal",
    "Problem",
    "ProblemError",
    "Query",
    "ServiceSettings",
    "Storage",
    "Text",
    "TokenVerifier",
    "UTCDateTime",
    "add_log_fields",
    "append_log_field",
    "configure_logging",
    "create_app",
    "create_client",
    "current_request_id",
    "decode_cursor",
    "encode_cursor",
    "get_logger",
    "keyset",
    "migrate",
    "naming_metadata",
    "outgoing_headers",
    "page_of",
    "problem_response",
    "problem_responses",
    "require_principal",
    "require_roles",
    "run_service",
    "serve",
    "spans",
    "utcnow",
]
