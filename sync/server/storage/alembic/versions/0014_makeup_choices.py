"""make-ups end to end (issue 14)

``replies.makeup_slots``: every slot a reply offers (a JSON list of up to three
MakeupSlot), ``replies.makeup`` staying the first. ``makeup_choices``: a client's answer
to those slots, by the client-made id (its idempotency key): the slot picked (1-3) or
none (declined), with the slot's times; ``n`` counts a reply's choices (1, 2, ...) and the
highest stands.

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

STAMP = sa.String(length=27)


def upgrade() -> None:
    op.add_column("replies", sa.Column("makeup_slots", sa.Text(), nullable=True))
    op.create_table(
        "makeup_choices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.String(length=36), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=True),
        sa.Column("start", STAMP, nullable=True),
        sa.Column("end", STAMP, nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("received_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"],
                                name=op.f("fk_makeup_choices_program_id_programs")),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"],
                                name=op.f("fk_makeup_choices_client_id_clients")),
        sa.ForeignKeyConstraint(["reply_id"], ["replies.id"],
                                name=op.f("fk_makeup_choices_reply_id_replies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_makeup_choices")),
    )  # fmt: skip
    op.create_index("ix_makeup_choices_reply", "makeup_choices", ["reply_id", "n"], unique=True)
    op.create_index("ix_makeup_choices_client", "makeup_choices", ["client_id"])


def downgrade() -> None:
    op.drop_index("ix_makeup_choices_client", table_name="makeup_choices")
    op.drop_index("ix_makeup_choices_reply", table_name="makeup_choices")
    op.drop_table("makeup_choices")
    op.drop_column("replies", "makeup_slots")
