"""FastAPI dependencies of the order routes, declared once."""

import re
from typing import Annotated

from chassis import FieldError, ProblemError
from fastapi import Depends, Header, Request

from .customers import CustomerDirectory
from .settings import OrderSettings


# Each async, though none awaits: FastAPI runs a plain function in its thread pool.
async def get_settings(request: Request) -> OrderSettings:
    settings: OrderSettings = request.app.state.settings
    return settings


async def get_customers(request: Request) -> CustomerDirectory:
    customers: CustomerDirectory = request.app.state.customers
    return customers


SettingsDep = Annotated[OrderSettings, Depends(get_settings)]
CustomersDep = Annotated[CustomerDirectory, Depends(get_customers)]

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x20-\x7e]+$",
        description="Any printable ASCII string, 1..255 characters, unique per intended order",
    ),
]

_ENTITY_TAG = re.compile(r'^(?:W/)?(?:"(\d{1,18})"|(\d{1,18}))$')


async def if_match_versions(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=1024,
            description='The ETag you read, e.g. "3" (also 3, W/"3", a list, or *)',
        ),
    ] = None,
) -> frozenset[int] | None:
    """The versions ``If-Match`` allows; ``None`` when absent or ``*`` (any current version).

    Lenient on form (quoted or not, weak or strong) because the version is the whole entity
    tag; a value that is no entity tag at all is a 422, so a client's bug is not mistaken for a
    lost race (412).
    """
    if if_match is None or if_match.strip() == "*":
        return None
    versions = set()
    for part in if_match.split(","):
        match = _ENTITY_TAG.match(part.strip())
        if match is None:
            raise ProblemError(
                422,
                'If-Match must be an entity tag this service issued, such as "3".',
                slug="validation-error",
                title="Invalid input",
                errors=[
                    FieldError(
                        location="header",
                        field="If-Match",
                        message='Expected an entity tag such as "3"',
                        code="invalid_entity_tag",
                    )
                ],
            )
        versions.add(int(match.group(1) or match.group(2)))
    return frozenset(versions)


IfMatchDep = Annotated[frozenset[int] | None, Depends(if_match_versions)]
