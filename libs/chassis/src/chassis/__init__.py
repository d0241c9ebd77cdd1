"""The OrderFlow service chassis: the plumbing every service shares, written once."""

from . import spans
from .access import CallerDep, require_principal, require_roles
from .app import Storage, create_app, migrate, run_service
from .auth import InvalidTokenError, Principal, TokenVerifier
from .db import Database, Query, naming_metadata
from .deps import INVALID_CURSOR, CursorQuery, DatabaseDep, LimitQuery
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
from .types import UTCDateTime, utcnow

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
