"""The chassis' public API, pinned: what services may import from ``chassis`` changes only on
purpose, in this list."""

import chassis

PUBLIC = {
    # constants
    "DEFAULT_LIMIT",
    "INVALID_CURSOR",
    "MAX_LIMIT",
    "MEMORY_DATABASE_URL",
    "PROBLEM_CONTENT_TYPE",
    "REQUEST_ID_HEADER",
    # the app, its settings, its server and storage
    "ServiceSettings",
    "Storage",
    "create_app",
    "migrate",
    "run_service",
    "serve",
    # errors as problems
    "AsProblem",
    "FieldError",
    "InvalidField",
    "Problem",
    "ProblemError",
    "Query",
    "problem_response",
    "problem_responses",
    # callers and their tokens
    "CallerDep",
    "InvalidTokenError",
    "Principal",
    "TokenVerifier",
    "require_principal",
    "require_roles",
    # database and pages
    "CursorQuery",
    "Database",
    "DatabaseDep",
    "InvalidCursorError",
    "LimitQuery",
    "Page",
    "decode_cursor",
    "encode_cursor",
    "keyset",
    "naming_metadata",
    "page_of",
    # fields and types
    "EmailAddress",
    "NoNul",
    "Text",
    "UTCDateTime",
    "utcnow",
    # logs, request ids, spans, calls onward
    "add_log_fields",
    "append_log_field",
    "configure_logging",
    "create_client",
    "current_request_id",
    "get_logger",
    "outgoing_headers",
    "spans",
}


def test_the_public_api_is_what_it_was_decided_to_be() -> None:
    assert set(chassis.__all__) == PUBLIC
    assert len(chassis.__all__) == len(PUBLIC), "a name listed twice in __all__"


def test_every_public_name_is_importable() -> None:
    missing = [name for name in chassis.__all__ if not hasattr(chassis, name)]
    assert missing == []
