"""Is the database already at the migrations' head? Answered without importing Alembic.

A service that starts against a database at head (every restart of `make run`, every replica
after the first) has nothing to migrate, and loading Alembic to find that out costs ~8 MB for
the life of the process and a fraction of a second of start. The head is read from the
migration scripts' text; whenever that reading is not certain (a merge, a branch, a script
written differently, several rows in the version table) the answer is "no", and Alembic,
which knows, decides.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .db import Database

_REVISION = re.compile(r"^revision(?:: str)? = ['\"]([0-9A-Za-z_]+)['\"]$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?:: [^=]+)? = (.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([0-9A-Za-z_]+)['\"]")
_TABLE_NAME = re.compile(r"[A-Za-z_][0-9A-Za-z_]*")


def script_head(migrations: Path) -> str | None:
    """The one head revision of ``migrations/versions``, or None when not certain."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((migrations / "versions").glob("*.py")):
        source = path.read_text()
        revision, down = _REVISION.findall(source), _DOWN_REVISION.findall(source)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        down_revision = down[0].strip()
        if down_revision == "None":
            continue
        parent = _QUOTED.fullmatch(down_revision)
        if parent is None:  # a merge point (a tuple) or anything else: not ours to judge
            return None
        parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


async def at_head(db: Database, migrations: Path, *, version_table: str) -> bool:
    """True only when the version table holds exactly the scripts' head."""
    head = script_head(migrations)
    if head is None or not _TABLE_NAME.fullmatch(version_table):
        return False
    try:
        async with db.write_engine.connect() as conn:
            rows = (await conn.execute(text(f'SELECT version_num FROM "{version_table}"'))).all()
    except SQLAlchemyError:  # no table yet: a new database
        return False
    return [row[0] for row in rows] == [head]
