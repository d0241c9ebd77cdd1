"""Request bodies documented in /openapi.json without the gateway parsing them.

A typed body parameter would make FastAPI parse and validate every write, then the service
would do it again. Routes declare ``openapi_extra=json_body(Model)`` instead, and the models'
schemas are added to the document's components once, when it is first built.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

REF = "#/components/schemas/"
_documented: dict[str, type[BaseModel]] = {}


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` saying the route takes ``model`` as JSON (the service validates it)."""
    _documented[model.__name__] = model
    schema = {"$ref": REF + model.__name__}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def form_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` saying the route takes ``model`` as an HTML form, as an OAuth 2.0 token
    endpoint does: the chassis then takes that media type there, and only there, and the body
    goes upstream as it came (``deps.body_headers`` passes the client's Content-Type)."""
    _documented[model.__name__] = model
    schema = {"$ref": REF + model.__name__}
    content = {"application/x-www-form-urlencoded": {"schema": schema}}
    return {"requestBody": {"required": True, "content": content}}


def install(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            _, definitions = models_json_schema(
                [(model, "validation") for model in _documented.values()],
                ref_template=REF + "{model}",
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in definitions.get("$defs", {}).items():
                schemas.setdefault(name, schema)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
