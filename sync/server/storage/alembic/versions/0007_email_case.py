"""coordinators' emails in one form (issue 13)

Sign-in, creating an account and the sign-in throttle compare emails in the form of
``security.normalize_email`` (NFC, trimmed, lower case). Accounts made by
``create-coordinator`` were already stored lower-cased; a row written another way (by
hand, or by a tool) is brought to that form here, in Python, so SQLite's ASCII-only
``lower()`` and PostgreSQL's locale-aware one cannot disagree. Two rows that would
become one address stop the migration with a line naming them: which account to keep
is a person's decision.

Revision ID: 0007
Revises: 0005 (chain onto 0006 when merging: 0006 is the crisis-contacts migration)
Create Date: 2026-12-02
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _normal(email: str) -> str:
    # A copy of sync.server.security.normalize_email as it was at this revision: a
    # migration must not change when the code it came with does.
    return unicodedata.normalize("NFC", email).strip().lower()


def upgrade() -> None:
    from sync.server.storage.migrate import SchemaError  # one line from `migrate`, exit 2

    conn = op.get_bind()
    coordinators = sa.table(
        "coordinators", sa.column("id", sa.Integer), sa.column("email", sa.String)
    )
    rows = conn.execute(sa.select(coordinators.c.id, coordinators.c.email)).all()
    seen: dict[str, int] = {}
    for row in rows:
        normal = _normal(row.email)
        if normal in seen:
            raise SchemaError(
                f"coordinators {seen[normal]} and {row.id} both have the email {normal!r} "
                "once case is ignored: change or remove one, then migrate again"
            )
        seen[normal] = row.id
    for row in rows:
        if _normal(row.email) != row.email:
            conn.execute(
                sa.update(coordinators)
                .where(coordinators.c.id == row.id)
                .values(email=_normal(row.email))
            )


def downgrade() -> None:
    pass  # the lower-cased form is what every earlier revision wrote too
