"""crisis contacts (issue 16)

A program's own crisis contacts for its clients' "Need help now?" panel: the JSON of a
list of protocol ``CrisisContactWire``, empty for every program that exists already (its
clients see the defaults: 988 and their local emergency number).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (never batch mode), as in 0005: a batch would copy ``programs``.
    op.add_column(
        "programs",
        sa.Column("crisis_contacts", sa.Text(), nullable=False, server_default="[]"),
    )


def downgrade() -> None:
    op.drop_column("programs", "crisis_contacts")
