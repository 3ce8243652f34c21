"""discreet calendar feeds (issue 12)

A program's default for discreet feeds, and each device's own choice (NULL: the
program's default). Each device also gets a feed revision and the time its feed last
changed because of that choice, which the feed's ETag and Last-Modified are made of:
a device's feed is its own resource, so changing one device's choice must not change
another's ETag.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (never batch mode): on SQLite a batch would copy
    # and drop ``programs``, which the other tables' foreign keys refuse.
    op.add_column(
        "programs",
        sa.Column("discreet_default", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("devices", sa.Column("discreet", sa.Boolean(), nullable=True))
    op.add_column(
        "devices",
        sa.Column("feed_rev", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column("devices", sa.Column("feed_changed_at", sa.String(length=27), nullable=True))


def downgrade() -> None:
    # DROP COLUMN needs SQLite 3.35 (2021) or later.
    op.drop_column("devices", "feed_changed_at")
    op.drop_column("devices", "feed_rev")
    op.drop_column("devices", "discreet")
    op.drop_column("programs", "discreet_default")
