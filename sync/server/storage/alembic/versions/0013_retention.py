"""retention: how long a program keeps notices and audit entries (issue 15)

``programs.retain_notices_days`` (730) and ``programs.retain_audit_days`` (2190): notices
(with their replies) and audit entries older than these go in the daily purge.
``maintenance_runs``: the day each daily job last ran, claimed with one UPDATE so that
only one of several server processes runs it. The audit trail's delete trigger now lets
through only entries past their program's window (by the database's own clock): the
trail stays append-only inside it.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

STAMP = sa.String(length=27)

SQLITE_CUTOFF = (
    "(SELECT strftime('%Y-%m-%dT%H:%M:%f', 'now', '-' || p.retain_audit_days || ' days') "
    "FROM programs p WHERE p.id = OLD.program_id)"
)
PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF TG_OP = 'DELETE' AND OLD.at < coalesce((SELECT to_char((now() AT TIME ZONE 'UTC') "
    '- make_interval(days => p.retain_audit_days), \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\') '
    "FROM programs p WHERE p.id = OLD.program_id), '') THEN RETURN OLD; END IF; "
    "RAISE EXCEPTION 'the audit trail is append-only'; END $$"
)
PG_APPEND_ONLY = (
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$"
)


def upgrade() -> None:
    # ADD COLUMN, not a batch copy: programs is referenced by other tables, and a copy of
    # it fails their foreign keys on a database that holds data.
    op.add_column("programs", sa.Column("retain_notices_days", sa.Integer(), nullable=False,
                                        server_default=sa.text("730")))  # fmt: skip
    op.add_column("programs", sa.Column("retain_audit_days", sa.Integer(), nullable=False,
                                        server_default=sa.text("2190")))  # fmt: skip
    op.create_table(
        "maintenance_runs",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_day", sa.String(length=10), nullable=False),
        sa.Column("at", STAMP, nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_maintenance_runs")),
    )
    op.execute("INSERT INTO maintenance_runs (name, last_day) VALUES ('purge', '')")
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_no_delete")
        op.execute(
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
            f"WHEN NOT (OLD.at < coalesce({SQLITE_CUTOFF}, '')) "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )
    else:
        op.execute(PG_FUNCTION)


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_no_delete")
        op.execute(
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )
    else:
        op.execute(PG_APPEND_ONLY)
    op.drop_table("maintenance_runs")
    # DROP COLUMN (SQLite 3.35+), not a batch copy: programs is referenced by other tables.
    op.drop_column("programs", "retain_audit_days")
    op.drop_column("programs", "retain_notices_days")
