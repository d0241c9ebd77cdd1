"""/api/lab: the requests as traces, faults in front of each upstream, the breakers.

Admin only. With the Lab off (``GATEWAY_LAB_ENABLED`` unset) every path here answers 404, the
same as a path that does not exist, whoever asks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from chassis import Principal, ProblemError, problem_responses
from chassis.auth import ADMIN
from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from starlette.exceptions import HTTPException

from ..auth import require_roles
from ..circuits import circuit_of
from ..deps import UpstreamsDep
from ..lab import Lab
from ..lab.faults import ActiveFault, Fault, FaultTable
from ..lab.schemas import Circuits, FaultSpec, LabFault, LabFaults, LabTrace, LabTraces


async def get_lab(request: Request) -> Lab:
    """The Lab, or the 404 of a path that does not exist when it is off."""
    lab: Lab | None = request.app.state.lab
    if lab is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return lab


LabDep = Annotated[Lab, Depends(get_lab)]
require_admin = require_roles(ADMIN)
AdminDep = Annotated[Principal, Depends(require_admin)]
router = APIRouter(
    prefix="/api/lab",
    tags=["lab"],
    dependencies=[Depends(get_lab), Depends(require_admin)],
    responses=problem_responses(401, 403, 404),
)
TraceId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="32 hex digits")]
Service = Annotated[str, Path(description="An upstream: customer or order")]


async def known_service(lab: LabDep, service: Service) -> str:
    if service not in lab.faults.services:
        raise ProblemError(
            404,
            f"No upstream is called {service!r}; there are: {', '.join(lab.faults.services)}.",
            slug="unknown-service",
        )
    return service


ServiceDep = Annotated[str, Depends(known_service)]


@router.get("/traces", response_model=LabTraces)
async def list_traces(
    lab: LabDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="How many, the newest")] = 50,
) -> Any:
    """The most recent requests through the gateway, newest first, each with every span: the
    gateway's (its upstream calls, retries and circuit decisions as events), each service's
    handler, database statements, calls onward and idempotent replays."""
    return {"items": lab.traces.recent(limit)}


@router.get("/traces/{trace_id}", response_model=LabTrace, responses=problem_responses(422))
async def get_trace(lab: LabDep, trace_id: TraceId) -> Any:
    """One request's trace; 404 once it has left the buffer of recent ones."""
    trace = lab.traces.get(trace_id)
    if trace is None:
        raise ProblemError(404, "The Lab holds no such trace (any more).", slug="trace-not-found")
    return trace


@router.get("/faults", response_model=LabFaults)
async def list_faults(lab: LabDep) -> Any:
    """The faults in force, and the upstreams one may be set in front of."""
    return {
        "items": [_fault_view(lab.faults, active) for active in lab.faults.all()],
        "services": list(lab.faults.services),
    }


@router.put("/faults/{service}", response_model=LabFault, responses=problem_responses(422))
async def put_fault(lab: LabDep, service: ServiceDep, spec: FaultSpec, admin: AdminDep) -> Any:
    """Inject a fault in front of ``service``, replacing its fault if it had one: delay
    ``delay_percent`` % of its calls by ``delay_ms`` (within the call's timeout), answer
    ``abort_status`` for ``abort_percent`` % without sending them. It ends after ``ttl_s``.
    Injected aborts are failures to the breaker and are retried like a refused connection."""
    active = lab.faults.put(service, Fault(**spec.model_dump()), by=admin.sub)
    return _fault_view(lab.faults, active)


@router.delete("/faults/{service}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_fault(lab: LabDep, service: ServiceDep, admin: AdminDep) -> Response:
    """Clear the fault in front of ``service`` (204 whether it had one or not)."""
    lab.faults.remove(service, by=admin.sub)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/circuits", response_model=Circuits)
async def list_circuits(upstreams: UpstreamsDep) -> Any:
    """Each upstream's circuit breaker (state, failure rate in its window) and its calls in
    flight and waiting: the numbers of /metrics."""
    return {"items": [circuit_of(client) for client in upstreams.all]}


def _fault_view(faults: FaultTable, active: ActiveFault) -> dict[str, Any]:
    fault = active.fault
    remaining = faults.remaining(active)
    return {
        "service": active.service,
        "delay_ms": fault.delay_ms,
        "delay_percent": fault.delay_percent,
        "abort_status": fault.abort_status,
        "abort_percent": fault.abort_percent,
        "ttl_s": fault.ttl_s,
        "set_at": datetime.fromtimestamp(active.set_at, UTC),
        "expires_at": datetime.fromtimestamp(active.set_at + fault.ttl_s, UTC),
        "expires_in_s": round(remaining, 1),
    }
