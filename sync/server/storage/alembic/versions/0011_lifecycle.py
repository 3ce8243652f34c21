"""a client's lifecycle and one-time account links (issue 13)

``clients.discharged_at``: a discharged client stays on record, their devices and feeds
stop until they are re-admitted. ``account_tokens``: one-time password-reset and
invitation links (digests only).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

STAMP = sa.String(length=27)


def upgrade() -> None:
    op.add_column("clients", sa.Column("discharged_at", STAMP, nullable=True))
    op.create_table(
        "account_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=True),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
        sa.Column("used_at", STAMP, nullable=True),
        sa.ForeignKeyConstraint(["coordinator_id"], ["coordinators.id"],
                                name=op.f("fk_account_tokens_coordinator_id_coordinators")),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"],
                                name=op.f("fk_account_tokens_program_id_programs")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_account_tokens")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("account_tokens")
    op.drop_column("clients", "discharged_at")
