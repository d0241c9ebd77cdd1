"""A domain error can name invalid fields with plain data (``problem_extra["errors"]``)."""

import httpx
from chassis import ServiceSettings, create_app
from fastapi import APIRouter
from orderflow_testing import app_client


class ParcelRefusedError(Exception):
    def __init__(self) -> None:
        super().__init__("The parcel is refused.")
        self.problem_extra = {
            "errors": [{"location": "body", "field": "parcel", "message": "no", "code": "refused"}]
        }


router = APIRouter()


@router.post("/parcels")
async def send_parcel() -> None:
    raise ParcelRefusedError()


async def test_domain_error_fields_are_listed_like_validation_errors() -> None:
    app = create_app(
        ServiceSettings(access_log=False, tracing=False),
        title="t",
        routers=[router],
        problem_map={ParcelRefusedError: (422, "parcel-refused")},
    )
    async with app_client(app) as client:
        response: httpx.Response = await client.post("/parcels")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"location": "body", "field": "parcel", "message": "no", "code": "refused"}
    ]
    assert response.json()["type"] == "urn:orderflow:problem:parcel-refused"
