"""Record who created each order, and give every caller its own idempotency keys.

``orders.created_by`` is the caller's sub (null for rows older than this migration).
``idempotency_keys`` is keyed by ``(caller, key)``: the same key sent by two callers makes two
orders, and never replays one caller's order to another. Keys stored before have no caller
(empty): nobody can replay them any more, which is what an unknown owner deserves.

Revision ID: 0d0e1a7c5b14
Revises: 0d0e1a7c5b01
Create Date: 2026-12-01 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0d0e1a7c5b14"
down_revision: str | None = "0d0e1a7c5b01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("created_by", sa.String(255), nullable=True))
    # SQLite cannot change a primary key in place: batch mode rebuilds the table there.
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(
            sa.Column("caller", sa.String(255), nullable=False, server_default=""),
        )
        batch.drop_constraint("pk_idempotency_keys", type_="primary")
        batch.create_primary_key("pk_idempotency_keys", ["caller", "key"])
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.alter_column("caller", server_default=None, existing_type=sa.String(255))


def downgrade() -> None:
    # Keys of different callers may now share a value: only one of each can stay.
    op.execute(
        "DELETE FROM idempotency_keys WHERE caller <> ("
        "SELECT MIN(caller) FROM idempotency_keys AS k WHERE k.key = idempotency_keys.key)"
    )
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_constraint("pk_idempotency_keys", type_="primary")
        batch.create_primary_key("pk_idempotency_keys", ["key"])
        batch.drop_column("caller")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("created_by")
