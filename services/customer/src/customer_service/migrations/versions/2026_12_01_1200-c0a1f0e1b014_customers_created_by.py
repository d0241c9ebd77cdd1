"""Record who created each customer: customers.created_by (the caller's sub).

Rows older than this migration keep null: who made them was never recorded.

Revision ID: c0a1f0e1b014
Revises: c0a1f0e1b001
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0a1f0e1b014"
down_revision: str | None = "c0a1f0e1b001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("customers", sa.Column("created_by", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("created_by")
