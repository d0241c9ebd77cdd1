"""Routing rules every OrderFlow app keeps: a literal path is its own routes' alone."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route


async def _method_not_allowed(request: Request) -> None:
    # The problem handler answers it, with the path's methods in Allow.
    raise HTTPException(405)


def _methods(route: APIRoute) -> set[str]:
    return set(route.methods or ())


def reserve_literal_paths(router: APIRouter) -> None:
    """A method a literal path (``/orders/stats``) does not serve is a 405 there, not a call of
    a templated route that also matches it (``PATCH /orders/{order_id}`` with ``stats`` for
    an id, a 422): the router takes the first route that matches path and method, so a route
    answering 405 for those methods goes before the templated ones. Applied to each router
    before the app includes it."""
    api_routes = [route for route in router.routes if isinstance(route, APIRoute)]
    literal: dict[str, set[str]] = {}
    for route in api_routes:
        if not route.param_convertors:
            literal.setdefault(route.path, set()).update(_methods(route))
    for path, served in literal.items():
        shadowing = [
            route
            for route in api_routes
            if route.param_convertors and route.path_regex.match(path) and _methods(route) - served
        ]
        if not shadowing:
            continue
        others = set().union(*(_methods(route) for route in shadowing)) - served
        guard = Route(path, _method_not_allowed, methods=sorted(others), include_in_schema=False)
        router.routes.insert(router.routes.index(shadowing[0]), guard)
