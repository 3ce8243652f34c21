"""notices paged by client (issue 10)

GET /v1/notices reads one client's notices newest first, a page at a time by
(received_at, id): this index answers it without looking at the rest of the program's.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


INDEX = "ix_notices_client_received"


def upgrade() -> None:
    op.create_index(INDEX, "notices", ["client_id", "received_at", "id"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="notices")
