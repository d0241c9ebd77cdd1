"""An index made for substring search over customers' names and emails.

SQLite: an FTS5 table with the trigram tokenizer (``customer_search``), an external-content
index of ``customers`` (it stores only the index, keyed by the customers' rowid), kept by
triggers in the transaction of every insert, update and delete, whoever writes. PostgreSQL:
``pg_trgm`` GIN indexes on ``lower(name)`` and ``lower(email)``, the very expressions the search
compares, so the planner can use them for ``LIKE '%...%'``. The upgrade indexes the customers
already stored; the downgrade drops it all (``pg_trgm`` stays: other objects may use it).

``CREATE EXTENSION pg_trgm`` needs a role allowed to create it (a superuser, or since
PostgreSQL 13 the database owner, pg_trgm being a trusted extension); see docs/deploy.md.

Revision ID: c0a1f0e1b020
Revises: c0a1f0e1b014
Create Date: 2026-12-02 01:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c0a1f0e1b020"
down_revision: str | None = "c0a1f0e1b014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRES_UPGRADE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # IF NOT EXISTS: on a large table an operator may have built them CONCURRENTLY beforehand.
    "CREATE INDEX IF NOT EXISTS ix_customers_name_trgm "
    "ON customers USING gin (lower(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_customers_email_trgm "
    "ON customers USING gin (lower(email) gin_trgm_ops)",
)
POSTGRES_DOWNGRADE = (
    "DROP INDEX IF EXISTS ix_customers_email_trgm",
    "DROP INDEX IF EXISTS ix_customers_name_trgm",
)

# The FTS5 'delete' command needs the old values: the triggers hand them over.
SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE customer_search USING fts5("
    "name, email, content='customers', content_rowid='rowid', tokenize='trigram')",
    """
    CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
        INSERT INTO customer_search (rowid, name, email) VALUES (NEW.rowid, NEW.name, NEW.email);
    END
    """,
    """
    CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
        INSERT INTO customer_search (customer_search, rowid, name, email)
        VALUES ('delete', OLD.rowid, OLD.name, OLD.email);
    END
    """,
    """
    CREATE TRIGGER customers_search_update AFTER UPDATE OF name, email ON customers BEGIN
        INSERT INTO customer_search (customer_search, rowid, name, email)
        VALUES ('delete', OLD.rowid, OLD.name, OLD.email);
        INSERT INTO customer_search (rowid, name, email) VALUES (NEW.rowid, NEW.name, NEW.email);
    END
    """,
    # Index the customers already stored.
    "INSERT INTO customer_search (customer_search) VALUES ('rebuild')",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS customers_search_update",
    "DROP TRIGGER IF EXISTS customers_search_delete",
    "DROP TRIGGER IF EXISTS customers_search_insert",
    "DROP TABLE IF EXISTS customer_search",
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_UPGRADE if postgres else SQLITE_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_DOWNGRADE if postgres else SQLITE_DOWNGRADE:
        op.execute(statement)
