"""one sign-in throttle in the database (issue 13)

Every coordinator sign-in attempt, from the API and the dashboard form alike, so that
one limit holds across both and across server processes: failures per (account,
address) lock that pair, failures per account slow the account down for addresses it
does not usually sign in from. The form's own per-account lock-out rows in
``failed_attempts`` (scope ``signin``) and the API's per-address rows (scope ``login``)
are dropped: they age out within 15 minutes anyway.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=True),
        sa.Column("remote", sa.String(length=100), nullable=False),
        sa.Column("at", sa.String(length=27), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["coordinator_id"],
            ["coordinators.id"],
            name=op.f("fk_signin_attempts_coordinator_id_coordinators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_attempts")),
    )
    op.create_index("ix_signin_attempts_account", "signin_attempts", ["account", "at"])
    op.create_index("ix_signin_attempts_remote", "signin_attempts", ["remote", "at"])
    op.create_index("ix_signin_attempts_at", "signin_attempts", ["at"])
    op.execute("DELETE FROM failed_attempts WHERE scope IN ('signin', 'login')")


def downgrade() -> None:
    op.drop_index("ix_signin_attempts_at", table_name="signin_attempts")
    op.drop_index("ix_signin_attempts_remote", table_name="signin_attempts")
    op.drop_index("ix_signin_attempts_account", table_name="signin_attempts")
    op.drop_table("signin_attempts")
