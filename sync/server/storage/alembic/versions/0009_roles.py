"""coordinator roles (issue 13)

``admin`` manages coordinators and program settings and reads the audit trail (and
works with clients, as every coordinator does); ``coordinator`` works with clients. The
first coordinator of each program (the lowest id) becomes its admin, so a program that
had one account keeps someone who can manage it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "coordinators",
        sa.Column("role", sa.String(length=20), nullable=False, server_default="coordinator"),
    )
    op.execute(
        "UPDATE coordinators SET role = 'admin' WHERE id IN "
        "(SELECT MIN(id) FROM coordinators GROUP BY program_id)"
    )


def downgrade() -> None:
    op.drop_column("coordinators", "role")
