"""Keep the dashboard's figures: order_status_totals, one row per status (orders, total_cents).

Triggers on ``orders`` change these rows in the transaction of every insert, status change or
delete, whoever writes (this code, an older replica still running during a rolling update, a
bulk load, a hand-made fix), so the figures cost a few rows to read however many orders there
are. The upgrade fills them from the orders already stored; the downgrade drops the triggers
and the table (the code of the revision before counts from the orders again).

Revision ID: 0d0e1a7c5b21
Revises: 0d0e1a7c5b14
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0d0e1a7c5b21"
down_revision: str | None = "0d0e1a7c5b14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("PENDING", "CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED")


# PostgreSQL: statement triggers with transition tables, so a statement that writes many orders
# (a bulk load) changes each status's row once, not once per order: a row updated a million
# times in one transaction leaves a million versions of it to walk. The changes of a statement
# are summed by status and applied in one fixed order (by status name), so two transactions
# never wait for each other's rows in a cycle. A status's first order creates its row.
POSTGRES_FUNCTIONS = (
    """
    CREATE FUNCTION order_status_totals_add(of_status varchar, n bigint, cents bigint)
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE order_status_totals
        SET orders = orders + n, total_cents = total_cents + cents
        WHERE status = of_status;
        IF NOT FOUND THEN  -- a new status: counted orders always have a row
            INSERT INTO order_status_totals AS t (status, orders, total_cents)
            VALUES (of_status, n, cents)
            ON CONFLICT (status) DO UPDATE
            SET orders = t.orders + n, total_cents = t.total_cents + cents;
        END IF;
    END
    $$
    """,
    """
    CREATE FUNCTION orders_keep_status_totals() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        change record;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            FOR change IN
                SELECT status, count(*) AS n, CAST(sum(total_cents) AS bigint) AS cents
                FROM new_rows GROUP BY status ORDER BY status
            LOOP
                PERFORM order_status_totals_add(change.status, change.n, change.cents);
            END LOOP;
        ELSIF TG_OP = 'DELETE' THEN
            FOR change IN
                SELECT status, count(*) AS n, CAST(sum(total_cents) AS bigint) AS cents
                FROM old_rows GROUP BY status ORDER BY status
            LOOP
                PERFORM order_status_totals_add(change.status, -change.n, -change.cents);
            END LOOP;
        ELSE
            FOR change IN
                SELECT status, CAST(sum(n) AS bigint) AS n, CAST(sum(cents) AS bigint) AS cents
                FROM (
                    SELECT status, 1 AS n, total_cents AS cents FROM new_rows
                    UNION ALL
                    SELECT status, -1, -total_cents FROM old_rows
                ) AS moves
                GROUP BY status HAVING sum(n) <> 0 OR sum(cents) <> 0 ORDER BY status
            LOOP
                PERFORM order_status_totals_add(change.status, change.n, change.cents);
            END LOOP;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    # Transition tables allow one event per trigger, and no column list.
    """
    CREATE TRIGGER orders_count_insert AFTER INSERT ON orders
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION orders_keep_status_totals()
    """,
    """
    CREATE TRIGGER orders_count_update AFTER UPDATE ON orders
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION orders_keep_status_totals()
    """,
    """
    CREATE TRIGGER orders_count_delete AFTER DELETE ON orders
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION orders_keep_status_totals()
    """,
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS orders_count_delete ON orders",
    "DROP TRIGGER IF EXISTS orders_count_update ON orders",
    "DROP TRIGGER IF EXISTS orders_count_insert ON orders",
    "DROP FUNCTION IF EXISTS orders_keep_status_totals()",
    "DROP FUNCTION IF EXISTS order_status_totals_add(varchar, bigint, bigint)",
)


def _sqlite_add(row: str) -> str:
    return (
        "INSERT INTO order_status_totals (status, orders, total_cents) "
        f"VALUES ({row}.status, 1, {row}.total_cents) "
        "ON CONFLICT (status) DO UPDATE SET orders = orders + 1, "
        "total_cents = total_cents + excluded.total_cents;"
    )


def _sqlite_remove(row: str) -> str:
    # The order was counted: its status has a row.
    return (
        "UPDATE order_status_totals SET orders = orders - 1, "
        f"total_cents = total_cents - {row}.total_cents WHERE status = {row}.status;"
    )


# SQLite has one writer at a time: no lock order to keep.
SQLITE_TRIGGERS = (
    f"""
    CREATE TRIGGER orders_count_insert AFTER INSERT ON orders
    BEGIN {_sqlite_add("NEW")} END
    """,
    f"""
    CREATE TRIGGER orders_count_update AFTER UPDATE OF status, total_cents ON orders
    WHEN OLD.status IS NOT NEW.status OR OLD.total_cents IS NOT NEW.total_cents
    BEGIN {_sqlite_remove("OLD")} {_sqlite_add("NEW")} END
    """,
    f"""
    CREATE TRIGGER orders_count_delete AFTER DELETE ON orders
    BEGIN {_sqlite_remove("OLD")} END
    """,
)
SQLITE_DROP = tuple(
    f"DROP TRIGGER IF EXISTS orders_count_{event}" for event in ("insert", "update", "delete")
)


def upgrade() -> None:
    op.create_table(
        "order_status_totals",
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")",
            name=op.f("ck_order_status_totals_status_known"),
        ),
        sa.CheckConstraint("orders >= 0", name=op.f("ck_order_status_totals_orders_not_negative")),
        sa.PrimaryKeyConstraint("status", name=op.f("pk_order_status_totals")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_FUNCTIONS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)
    # The trigger is in place before the count, and (on PostgreSQL, where CREATE TRIGGER locks
    # out writers until this transaction commits) no order slips in between: each is counted
    # once, by the backfill or by the trigger.
    op.execute(
        "INSERT INTO order_status_totals (status, orders, total_cents) "
        "SELECT status, count(*), coalesce(sum(total_cents), 0) FROM orders GROUP BY status"
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_DROP if postgres else SQLITE_DROP:
        op.execute(statement)
    op.drop_table("order_status_totals")
