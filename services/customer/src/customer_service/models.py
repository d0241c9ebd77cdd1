"""Tables of the customer database."""

from datetime import datetime

from chassis import UTCDateTime, naming_metadata
from sqlalchemy import Index, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = naming_metadata()


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    # The sub of whoever created it; null only for rows older than the recording of callers.
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        # The database, not a check before insert, keeps emails unique whatever their case.
        Index("uq_customers_email_lower", func.lower(email), unique=True),
        Index("ix_customers_created_at_id", created_at, id),
    )
