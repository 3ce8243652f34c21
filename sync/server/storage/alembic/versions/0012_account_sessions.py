"""accounts in the dashboard (issue 13)

``coordinators.disabled_at``: a disabled account cannot sign in and has no sessions
until an admin enables it again. ``coordinator_sessions.address`` (where the session
was opened from) and ``last_used_at`` (written at most once a minute; the idle timeout
measures from it). Invitations use ``account_tokens`` (revision 0011, purpose
``invite``).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

STAMP = sa.String(length=27)


def upgrade() -> None:
    op.add_column("coordinators", sa.Column("disabled_at", STAMP, nullable=True))
    op.add_column(
        "coordinator_sessions", sa.Column("address", sa.String(length=100), nullable=True)
    )
    op.add_column("coordinator_sessions", sa.Column("last_used_at", STAMP, nullable=True))


def downgrade() -> None:
    # DROP COLUMN (SQLite 3.35+), not a batch copy: coordinators is referenced by other tables.
    op.drop_column("coordinator_sessions", "last_used_at")
    op.drop_column("coordinator_sessions", "address")
    op.drop_column("coordinators", "disabled_at")
