"""Storage queries for make-ups (issue 14): the slots a reply offers and the client's
answers to them (SQLAlchemy Core). Mixed into :class:`sync.server.storage.repo.Tx`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, insert, select

from sync.server.storage.tables import attendance, coordinators, makeup_choices, notices, replies


class MakeupQueries:
    """Offered slots and the clients' choices."""

    conn: Connection

    def offered_slots(self, reply_id: int, client_id: int) -> dict[str, Any] | None:
        """The reply's notice id, series uid and original start, its first slot
        (``makeup``) and every slot (``makeup_slots``), when the reply answers one of
        ``client_id``'s notices and offers a make-up."""
        row = self.conn.execute(
            select(replies.c.notice_id, replies.c.makeup, replies.c.makeup_slots,
                   notices.c.series_uid, notices.c.original_start)
            .join(notices, notices.c.id == replies.c.notice_id)
            .where(replies.c.id == reply_id, notices.c.client_id == client_id,
                   replies.c.makeup.is_not(None))
        ).first()  # fmt: skip
        return dict(row._mapping) if row else None

    def makeup_choice(self, choice_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            select(makeup_choices).where(makeup_choices.c.id == choice_id)
        ).first()
        return dict(row._mapping) if row else None

    def insert_makeup_choice(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(makeup_choices), values)

    def standing_choices(
        self,
        *,
        client_id: int | None = None,
        reply_ids: Iterable[int] | None = None,
        program_id: int | None = None,
    ) -> dict[int, dict[str, Any]]:
        """The newest choice of each reply (by reply id), for one client, some replies or
        a whole program, with the notice's series uid and original start."""
        c = makeup_choices.c
        stmt = (
            select(makeup_choices, notices.c.series_uid, notices.c.original_start.label("original"))
            .join(notices, notices.c.id == c.notice_id)
            .order_by(c.reply_id, c.n)
        )
        if client_id is not None:
            stmt = stmt.where(c.client_id == client_id)
        if reply_ids is not None:
            ids = list(reply_ids)
            if not ids:
                return {}
            stmt = stmt.where(c.reply_id.in_(ids))
        if program_id is not None:
            stmt = stmt.where(c.program_id == program_id)
        out: dict[int, dict[str, Any]] = {}
        for row in self.conn.execute(stmt):
            out[row.reply_id] = dict(row._mapping)  # later rows replace earlier ones
        return out

    def choices_made(self, reply_id: int) -> int:
        """How many choices the client made for a reply (the make-up's SEQUENCE)."""
        return int(
            self.conn.execute(
                select(func.count()).where(makeup_choices.c.reply_id == reply_id)
            ).scalar_one()
        )

    def recorders(self, program_id: int, series_uid: str, original_start: str) -> dict[int, str]:
        """Who recorded each client's standing status of one session (coordinator email)."""
        a = attendance.c
        rows = self.conn.execute(
            select(a.client_id, coordinators.c.email)
            .join(coordinators, coordinators.c.id == a.recorded_by)
            .where(a.program_id == program_id, a.series_uid == series_uid,
                   a.original_start == original_start)
        )  # fmt: skip
        return {r[0]: r[1] for r in rows}
