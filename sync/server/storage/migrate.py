"""Schema migrations (Alembic, packaged with the code) and the start-up schema check.

``companion-server migrate`` calls :func:`upgrade`; every server start calls
:func:`check`, so a server never runs against a schema it does not know (older: run
migrate; newer: a newer server wrote it).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

SCRIPTS = Path(__file__).with_name("alembic")


class SchemaError(Exception):
    """The database schema is not the one this server knows; the message says what to do."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    return config


def head() -> str:
    """The newest revision this server knows."""
    current = ScriptDirectory.from_config(_config()).get_current_head()
    assert current is not None
    return current


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to :func:`head`; returns (revision before, revision after)."""
    before = current(engine)
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return before, head()


def check(engine: Engine) -> None:
    """Raise :class:`SchemaError` unless the database is exactly at :func:`head`."""
    at = current(engine)
    want = head()
    if at == want:
        return
    if at is None:
        raise SchemaError(
            "the database has no Companion schema yet: run `companion-server migrate`"
        )
    known = {rev.revision for rev in ScriptDirectory.from_config(_config()).walk_revisions()}
    if at in known:
        raise SchemaError(
            f"the database schema is at {at}, this server needs {want}: "
            "run `companion-server migrate`"
        )
    raise SchemaError(
        f"the database schema {at} was written by a newer server; upgrade companion-server"
    )
