"""Tables of the order database.

Items live in their own table, one row per line keyed by ``(order_id, position)``: each column
keeps its type and range check in the database, the lines can be queried (by SKU, say) without
parsing JSON, and a page of orders still costs two index look-ups (the page, then its items by
primary key) however many orders there are. Idempotency keys have a table of their own too, so
they can be expired one day without touching orders.
"""

from datetime import datetime

from chassis import UTCDateTime, naming_metadata
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .domain import OrderStatus


class Base(DeclarativeBase):
    metadata = naming_metadata()


STATUS_TYPE = Enum(
    OrderStatus,
    native_enum=False,
    create_constraint=False,  # the named CheckConstraint below, identical on every backend
    length=16,
    validate_strings=True,
)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[OrderStatus] = mapped_column(STATUS_TYPE)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    notes: Mapped[str | None] = mapped_column(String(2000))
    version: Mapped[int] = mapped_column(Integer)
    # The sub of whoever placed it; null only for rows older than the recording of callers.
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    items: Mapped[list["OrderItem"]] = relationship(
        order_by="OrderItem.position",
        lazy="selectin",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        CheckConstraint(status.in_([s.value for s in OrderStatus]), name="status_known"),
        CheckConstraint(version >= 1, name="version_positive"),
        # Newest first, optionally after an equality filter: every page is an index range scan.
        Index("ix_orders_created_at_id", created_at, id),
        Index("ix_orders_status_created_at_id", status, created_at, id),
        Index("ix_orders_customer_id_created_at_id", customer_id, created_at, id),
    )


class OrderItem(Base):
    __tablename__ = "order_items"

    order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint(quantity.between(1, 1000), name="quantity_range"),
        CheckConstraint(unit_price_cents.between(0, 100_000_000), name="unit_price_range"),
    )


class StatusTotal(Base):
    """How many orders are in one status and the sum of their ``total_cents``.

    Kept by triggers on ``orders`` (created by the migration that created this table), in the
    transaction of every insert, status change or delete, whoever writes: the dashboard reads
    these few rows, never every order. A status no order has reached yet has no row. SQLite
    drops a table's triggers with the table: a migration that rebuilds ``orders`` in batch mode
    must create them again."""

    __tablename__ = "order_status_totals"

    status: Mapped[OrderStatus] = mapped_column(STATUS_TYPE, primary_key=True)
    orders: Mapped[int] = mapped_column(BigInteger)
    total_cents: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint(status.in_([s.value for s in OrderStatus]), name="status_known"),
        CheckConstraint(orders >= 0, name="orders_not_negative"),
    )


class IdempotencyKey(Base):
    """A caller's Idempotency-Key, written in the same transaction as the order it created.

    Keyed by ``(caller, key)``: keys belong to the caller (its sub), so one caller's key never
    replays, or blocks, another's order."""

    __tablename__ = "idempotency_keys"

    caller: Mapped[str] = mapped_column(String(255), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("orders.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
