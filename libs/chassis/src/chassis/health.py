"""Liveness and readiness, the same on every component."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from .logging import get_logger
from .problems import problem_response

ReadinessCheck = Callable[[], Awaitable[dict[str, Any] | None]]
"""Raises (or times out) when the dependency is not ready; may return details to show."""

log = get_logger(__name__)


class NotReadyError(Exception):
    """Raised by a readiness check with a reason fit to show anyone: ``/readyz`` is public on
    the gateway. Any other exception shows only as "unavailable" (its text, which may hold an
    address or SQL, goes to the log)."""


CHECK_TIMEOUT_SECONDS = 2.0

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


@router.get("/healthz", response_model=Health)
async def healthz() -> dict[str, str]:
    """Liveness: the process is up and serving."""
    return {"status": "ok"}


async def _run_check(name: str, check: ReadinessCheck) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        details = await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        outcome: dict[str, Any] = {"status": "down", "reason": "timed out"}
    except NotReadyError as exc:
        outcome = {"status": "down", "reason": str(exc)}
    except Exception as exc:
        log.warning("not_ready", check=name, error=repr(exc))
        outcome = {"status": "down", "reason": "unavailable"}
    else:
        outcome = {"status": "ok", **(details or {})}
    outcome["latency_ms"] = round((time.perf_counter() - start) * 1000, 2)
    return outcome


async def run_checks(checks: dict[str, ReadinessCheck]) -> dict[str, dict[str, Any]]:
    results = await asyncio.gather(*(_run_check(name, check) for name, check in checks.items()))
    return dict(zip(checks, results, strict=True))


@router.get("/readyz", responses={503: {"description": "Not ready; see checks"}})
async def readyz(request: Request) -> JSONResponse:
    """Readiness: every dependency this component needs answers (503 with the reasons if not)."""
    checks: dict[str, ReadinessCheck] = getattr(request.app.state, "readiness_checks", {})
    results = await run_checks(checks)
    down = [name for name, result in results.items() if result["status"] != "ok"]
    if down:
        return problem_response(
            503,
            "Not ready: " + ", ".join(f"{n} ({results[n]['reason']})" for n in down),
            slug="not-ready",
            title="Not ready",
            checks=results,
        )
    return JSONResponse({"status": "ready", "checks": results})
