"""the audit trail, and who recorded attendance (issue 13)

``audit``: append-only (triggers refuse UPDATE and DELETE on both databases), ids and
fixed words only. ``attendance.recorded_by`` and ``attendance_history``: who recorded
each status and what it replaced; existing records enter the history as recorded by
nobody known, at the time they were recorded.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

STAMP = sa.String(length=27)


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("at", STAMP, nullable=False),
        sa.Column("actor_kind", sa.String(length=12), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=600), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_index("ix_audit_program", "audit", ["program_id", "id"])
    op.create_index("ix_audit_client", "audit", ["program_id", "client_id", "id"])
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_no_{verb.lower()} BEFORE {verb} ON audit "
                "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()"
        )

    # A plain column (SQLite cannot add a foreign key to an existing table without
    # copying it, which the other tables' keys refuse); the history's has the key.
    op.add_column("attendance", sa.Column("recorded_by", sa.Integer(), nullable=True))
    op.create_table(
        "attendance_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("series_uid", sa.String(length=255), nullable=False),
        sa.Column("original_start", STAMP, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"],
                                name=op.f("fk_attendance_history_client_id_clients")),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"],
                                name=op.f("fk_attendance_history_program_id_programs")),
        sa.ForeignKeyConstraint(["recorded_by"], ["coordinators.id"],
                                name=op.f("fk_attendance_history_recorded_by_coordinators")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_history")),
    )  # fmt: skip
    op.create_index(
        "ix_attendance_history_client", "attendance_history", ["client_id", "original_start"]
    )
    op.execute(
        "INSERT INTO attendance_history "
        "(program_id, client_id, series_uid, original_start, status, recorded_by, at) "
        "SELECT program_id, client_id, series_uid, original_start, status, NULL, at "
        "FROM attendance"
    )


def downgrade() -> None:
    op.drop_index("ix_attendance_history_client", table_name="attendance_history")
    op.drop_table("attendance_history")
    op.drop_column("attendance", "recorded_by")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_no_update")
        op.execute("DROP TRIGGER audit_no_delete")
    else:
        op.execute("DROP TRIGGER audit_no_truncate ON audit")
        op.execute("DROP TRIGGER audit_append_only ON audit")
        op.execute("DROP FUNCTION audit_append_only()")
    op.drop_table("audit")
