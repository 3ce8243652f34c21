"""materials as things (issue 14): a note, edits and withdrawal

``materials.note``: an optional line for clients ("pages 3-5"). ``updated_at``: the last
edit. ``withdrawn_at``: a withdrawn material stays for the record (the audit trail names
it) and leaves every list and every client. An index finds a session's materials.

Revision ID: 0016
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

STAMP = sa.String(length=27)


def upgrade() -> None:
    op.add_column("materials", sa.Column("note", sa.String(length=500), nullable=False,
                                         server_default=""))  # fmt: skip
    op.add_column("materials", sa.Column("updated_at", STAMP, nullable=True))
    op.add_column("materials", sa.Column("withdrawn_at", STAMP, nullable=True))
    op.create_index("ix_materials_session", "materials",
                    ["program_id", "series_uid", "original_start"])  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_materials_session", table_name="materials")
    op.drop_column("materials", "withdrawn_at")
    op.drop_column("materials", "updated_at")
    op.drop_column("materials", "note")
