"""coordinator alerts by email (issue 14)

``mail_outbox``: the queue the server's drain task sends from (one row per email,
``dedupe_key`` unique so a batch or digest is queued once across processes).
``mail_announced``: the notices already announced to coordinators (each once).
``coordinators.mail_alerts``: whether the coordinator gets alert emails (default on).

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

STAMP = sa.String(length=27)


def upgrade() -> None:
    op.add_column(
        "coordinators",
        sa.Column("mail_alerts", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_try_at", STAMP, nullable=False),
        sa.Column("claimed_until", STAMP, nullable=True),
        sa.Column("sent_at", STAMP, nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_mail_outbox_dedupe_key")),
    )
    op.create_index("ix_mail_outbox_due", "mail_outbox", ["sent_at", "next_try_at"])
    op.create_table(
        "mail_announced",
        sa.Column("notice_id", sa.String(length=36), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("at", STAMP, nullable=False),
        sa.PrimaryKeyConstraint("notice_id", name=op.f("pk_mail_announced")),
    )


def downgrade() -> None:
    op.drop_table("mail_announced")
    op.drop_index("ix_mail_outbox_due", table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_column("coordinators", "mail_alerts")
