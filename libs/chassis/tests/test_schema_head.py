"""The head read from the scripts' text is Alembic's own, and "at head" is said only when so."""

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from chassis import Database
from chassis.migrations import alembic_config, upgrade
from chassis.schema import at_head, script_head
from sqlalchemy import text

SERVICES = Path(__file__).resolve().parents[3] / "services"
MIGRATIONS = sorted(SERVICES.glob("*/src/*/migrations"))


@pytest.mark.parametrize("migrations", MIGRATIONS, ids=lambda path: path.parts[-4])
def test_the_head_read_from_the_scripts_is_alembics(migrations: Path) -> None:
    config = alembic_config(migrations, version_table="v")
    assert script_head(migrations) == ScriptDirectory.from_config(config).get_current_head()


def _script(folder: Path, name: str, body: str) -> None:
    (folder / "versions").mkdir(parents=True, exist_ok=True)
    (folder / "versions" / f"{name}.py").write_text(body)


def test_not_certain_is_no_head(tmp_path: Path) -> None:
    _script(tmp_path, "a", 'revision = "a1"\ndown_revision = None\n')
    _script(tmp_path, "b", 'revision: str = "b2"\ndown_revision: str | None = "a1"\n')
    assert script_head(tmp_path) == "b2"
    _script(tmp_path, "c", 'revision = "c3"\ndown_revision = "a1"\n')  # two heads
    assert script_head(tmp_path) is None
    _script(tmp_path, "c", 'revision = "c3"\ndown_revision = ("a1", "b2")\n')  # a merge
    assert script_head(tmp_path) is None
    _script(tmp_path, "c", 'revision = "c3"\ndown_revision = "zz"\n')  # an unknown parent
    assert script_head(tmp_path) is None
    _script(tmp_path, "c", "revision = make_id()\ndown_revision = 'b2'\n")
    assert script_head(tmp_path) is None


async def test_at_head_only_when_the_version_table_says_the_head(tmp_path: Path) -> None:
    [migrations] = [path for path in MIGRATIONS if path.parts[-4] == "customer"]
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    try:
        assert not await at_head(db, migrations, version_table="alembic_version_customer")
        await upgrade(db, migrations, version_table="alembic_version_customer")
        assert await at_head(db, migrations, version_table="alembic_version_customer")
        assert not await at_head(db, migrations, version_table="another_table")
        async with db.write_engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version_customer SET version_num = 'old'"))
        assert not await at_head(db, migrations, version_table="alembic_version_customer")
        assert not await at_head(db, migrations, version_table='x"; DROP TABLE customers; --')
    finally:
        await db.dispose()
