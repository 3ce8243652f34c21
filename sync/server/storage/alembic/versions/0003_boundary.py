"""the boundary (issue 10): what the server judges itself

A notice's ``timing``, ``title`` and ``start`` are now the server's (from the program's
schedule and its own receive time); what the device claimed is kept beside them:
``claimed_timing``, and ``clock_offset_s`` (the device's clock minus the server's when it
was delivered, from its ``Date`` header). Rows stored before the wire models were bounded
are repaired or removed (``sync.server.storage.repair``), so none can stop a client.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_timing", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("clock_offset_s", sa.Integer(), nullable=True))
    from sync.server.storage.repair import repair

    counts = repair(op.get_bind())
    if any(counts.values()):
        log.info("repaired stored rows: %s", counts)


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_column("clock_offset_s")
        batch_op.drop_column("claimed_timing")
