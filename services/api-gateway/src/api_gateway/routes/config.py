"""/api/config: what a client needs to know about this deployment before it acts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from ..auth import AUTH_RESPONSES, require_caller
from ..deps import UpstreamsDep, errors
from ..proxy import forward
from ..schemas import Config

router = APIRouter(
    prefix="/api/config",
    tags=["config"],
    dependencies=[Depends(require_caller)],
    responses=AUTH_RESPONSES,
)


@router.get("", response_model=Config, responses=errors())
async def get_config(upstreams: UpstreamsDep) -> Response:
    """The currency new orders are priced in (the order service's setting, asked each time,
    so it follows the deployment); any signed-in caller."""
    return forward(await upstreams.orders.get_config())
