"""A service's problem table says how each plain domain error is answered: status, type, the
field it blames, extra members and headers, all taken from the error's own attributes."""

import httpx
from chassis import AsProblem, InvalidField, ServiceSettings, create_app
from fastapi import APIRouter
from orderflow_testing import app_client


class ParcelRefusedError(Exception):
    def __init__(self, weight: int) -> None:
        super().__init__(f"A parcel of {weight} kg is refused.")
        self.weight = weight


router = APIRouter()


@router.post("/parcels")
async def send_parcel() -> None:
    raise ParcelRefusedError(40)


PROBLEMS = {
    ParcelRefusedError: AsProblem(
        422,
        "parcel-refused",
        invalid=InvalidField("body", "weight", "too_heavy"),
        extra=lambda e: {"max_weight": 30, "weight": e.weight},
        headers=lambda e: {"X-Parcel-Weight": str(e.weight)},
    )
}


async def test_the_table_decides_fields_members_and_headers() -> None:
    app = create_app(
        ServiceSettings(access_log=False, tracing=False),
        title="t",
        routers=[router],
        problem_map=PROBLEMS,
    )
    async with app_client(app) as client:
        response: httpx.Response = await client.post("/parcels", json={})
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "urn:orderflow:problem:parcel-refused"
    assert body["detail"] == "A parcel of 40 kg is refused."
    assert body["errors"] == [
        {
            "location": "body",
            "field": "weight",
            "message": "A parcel of 40 kg is refused.",
            "code": "too_heavy",
        }
    ]
    assert (body["max_weight"], body["weight"]) == (30, 40)
    assert response.headers["x-parcel-weight"] == "40"


async def test_a_status_and_slug_pair_is_short_for_a_plain_problem() -> None:
    app = create_app(
        ServiceSettings(access_log=False, tracing=False),
        title="t",
        routers=[router],
        problem_map={ParcelRefusedError: (409, "parcel-refused")},
    )
    async with app_client(app) as client:
        response = await client.post("/parcels", json={})
    assert response.status_code == 409
    assert "errors" not in response.json()
