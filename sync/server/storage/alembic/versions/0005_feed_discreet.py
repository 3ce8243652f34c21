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
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("discreet_default", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("discreet", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("feed_rev", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(sa.Column("feed_changed_at", sa.String(length=27), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("feed_changed_at")
        batch_op.drop_column("feed_rev")
        batch_op.drop_column("discreet")
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("discreet_default")
