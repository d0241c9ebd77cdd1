"""Create orders, order_items and idempotency_keys.

Revision ID: 0d0e1a7c5b01
Revises:
Create Date: 2026-11-26 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from chassis import UTCDateTime

revision: str = "0d0e1a7c5b01"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("PENDING", "CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED")


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("notes", sa.String(2000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")",
            name=op.f("ck_orders_status_known"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_orders_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
    )
    op.create_index("ix_orders_created_at_id", "orders", ["created_at", "id"])
    op.create_index("ix_orders_status_created_at_id", "orders", ["status", "created_at", "id"])
    op.create_index(
        "ix_orders_customer_id_created_at_id", "orders", ["customer_id", "created_at", "id"]
    )

    op.create_table(
        "order_items",
        sa.Column("order_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "quantity BETWEEN 1 AND 1000", name=op.f("ck_order_items_quantity_range")
        ),
        sa.CheckConstraint(
            "unit_price_cents BETWEEN 0 AND 100000000",
            name=op.f("ck_order_items_unit_price_range"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_items_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", "position", name=op.f("pk_order_items")),
    )

    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_idempotency_keys_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("order_id", name=op.f("uq_idempotency_keys_order_id")),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("order_items")
    op.drop_index("ix_orders_customer_id_created_at_id", table_name="orders")
    op.drop_index("ix_orders_status_created_at_id", table_name="orders")
    op.drop_index("ix_orders_created_at_id", table_name="orders")
    op.drop_table("orders")
