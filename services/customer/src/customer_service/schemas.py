"""The customer service's API models."""

from datetime import datetime
from typing import Annotated

from chassis import EmailAddress, NoNul
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    NoNul,
    Field(examples=["Ada Lovelace"]),
]


class CustomerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: EmailAddress


class CustomerUpdate(BaseModel):
    """Only the fields present change; a field may not be set to null."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    email: EmailAddress | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> "CustomerUpdate":
        for field in self.model_fields_set:
            if getattr(self, field) is None:
                raise ValueError(f"{field} may be omitted but not null")
        return self


class CustomerSummary(BaseModel):
    """What other services need to show a customer."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    email: str


class CustomerRead(CustomerSummary):
    created_by: str | None = Field(
        description="The sub of the caller who created it (null if made before that was kept)"
    )
    created_at: datetime
    updated_at: datetime


class CustomerBatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[str, StringConstraints(max_length=64)]] = Field(max_length=100)


class CustomerBatch(BaseModel):
    items: list[CustomerSummary]


class CustomerStats(BaseModel):
    total: int
