"""Create customers.

Revision ID: c0a1f0e1b001
Revises:
Create Date: 2026-11-26 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from chassis import UTCDateTime

revision: str = "c0a1f0e1b001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    op.create_index("uq_customers_email_lower", "customers", [sa.text("lower(email)")], unique=True)
    op.create_index("ix_customers_created_at_id", "customers", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_customers_created_at_id", table_name="customers")
    op.drop_index("uq_customers_email_lower", table_name="customers")
    op.drop_table("customers")
