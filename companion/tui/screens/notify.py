"""Notify: tell the coordinator, with a preview of exactly what they will see; the outbox
with each notice's state; the coordinator's replies, and accepting an offered make-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from companion.actions.profile import Profile, UserError
from companion.actions.schedule import list_series, occurrences
from companion.domain.attendance import Status
from companion.domain.journal import Barrier, Reflection
from companion.domain.notices import MESSAGE_LIMIT, AbsenceNotice, Timing, preview, timing_for
from companion.domain.schedule import Occurrence
from companion.tui import optional
from companion.tui.messages import (
    NO_SYNC_LAYER,
    ActionFailed,
    MakeupAccepted,
    MakeupDeclined,
    NoticeDiscarded,
    NoticeQueued,
    Queued,
)
from companion.tui.screens.base import MainScreen
from companion.tui.widgets.fmt import duration_words
from companion.tui.widgets.form import Field, Form
from companion.tui.widgets.replies import STATE_WORDS, chosen_slot, makeup_cell, reply_line
from companion.tui.widgets.tables import cursor_key, fill_table
from companion.tui.widgets.tick import TickBox


@dataclass(slots=True)
class NotifyData:
    candidates: list[Occurrence]
    reflections: list[Reflection]
    client_name: str
    tz: ZoneInfo
    outbox: list[Any] = field(default_factory=list)
    replies: list[Any] = field(default_factory=list)
    available: bool = True
    titles: dict[str, str] = field(default_factory=dict)  # series uid -> title


def load_notify(profile: Profile) -> NotifyData:
    """Sessions one can give notice about: the program's, from two weeks back to four ahead,
    not cancelled, excused, attended or already notified."""
    notify = optional.notify()
    now, tz = profile.now(), profile.tz()
    series = list_series(profile)
    program_uids = {s.uid for s in series if s.origin == "program"}
    outbox = list(notify.outbox(profile)) if notify else []
    told = {(e.notice.series_uid, e.notice.original_start) for e in outbox}
    views = occurrences(profile, now - timedelta(weeks=2), now + timedelta(weeks=4))
    candidates = [
        v.occurrence
        for v in views
        if v.occurrence.series_uid in program_uids
        and v.occurrence.key not in told
        and v.status in (Status.UPCOMING, Status.UNRECORDED, Status.MISSED)
    ]
    from companion.actions.journal import list_reflections

    return NotifyData(
        candidates=candidates,
        reflections=list_reflections(profile, limit=30),
        client_name=notify.client_name(profile) if notify else profile.settings.client_name,
        tz=tz,
        outbox=outbox,
        replies=list(notify.replies(profile)) if notify else [],
        available=notify is not None,
        titles={s.uid: s.title for s in series},
    )


def attach_label(reflection: Reflection, titles: dict[str, str], tz: ZoneInfo) -> str:
    """'Attach my reflection on Process Group, Wed 25 Nov (private unless ticked)': which
    session it is about (or when it was written), in one line that fits 80 columns."""
    tail = " (private unless ticked)"
    if reflection.occurrence is None:
        return f"Attach my reflection written {reflection.when.astimezone(tz):%a %d %b}{tail}"
    uid, start = reflection.occurrence
    title = titles.get(uid, "a session")
    if len(title) > 30:
        title = title[:29].rstrip() + "…"
    return f"Attach my reflection on {title}, {start.astimezone(tz):%a %d %b}{tail}"


ATTACH_LOCKED = "Your journal is locked: unlock it to attach a reflection."


def check_message(text: str) -> str:
    if len(text) > MESSAGE_LIMIT:
        raise ValueError(f"keep it under {MESSAGE_LIMIT} characters (now {len(text)})")
    return text.strip()


def send_notice(
    profile: Profile,
    occ_id: str,
    barrier: Barrier,
    message: str,
    makeup: bool,
    reflection_id: int | None,
    key: bytes | None = None,
) -> Any:
    notify = optional.notify()
    if notify is None:
        raise UserError(NO_SYNC_LAYER)
    notice = notify.notify(profile, occ_id, barrier, message, makeup, reflection_id, key)
    client = optional.sync_client()
    return Queued(notice, bool(client and client.is_enrolled(profile)))


class NotifyScreen(MainScreen):
    """The form with its live preview, the outbox and the replies, as three tabs."""

    BINDINGS = [
        Binding("ctrl+s", "send", "Send"),
        Binding("escape", "back", "Cancel"),
        Binding("1", "tab('tell')", "Form", show=False),
        Binding("2", "tab('outbox')", "Outbox", show=False),
        Binding("3", "tab('replies')", "Replies", show=False),
        Binding("d", "discard", "Discard notice", show=False),
        Binding("a", "makeup", "Make-up"),
    ]
    AUTO_FOCUS = "#session"

    def __init__(self) -> None:
        super().__init__()
        self.data: NotifyData | None = None
        self.pending: tuple[str, bool] | None = None
        # The one reflection decrypted to attach it, after the client ticked "Attach".
        self.opened: dict[int, Reflection] = {}
        self._session_options: list[tuple[str, str]] = []
        self.message_field = Field(
            "Message",
            check_message,
            id="message",
            placeholder="optional: a line for your coordinator",
        )

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="notify-tabs"):
            with TabPane("Tell your coordinator", id="tell"), Form(id="notify-form"):
                with Horizontal(classes="field-row"):
                    yield Label("Session", classes="kind-label")
                    yield Select([], prompt="which session?", compact=True, id="session")
                yield Static(id="timing", classes="hint")
                with Horizontal(classes="field-row"):
                    yield Label("What's up", classes="kind-label")
                    yield Select(
                        [(b.label, b) for b in Barrier],
                        prompt="what gets in the way?",
                        compact=True,
                        id="barrier",
                    )
                yield self.message_field
                yield TickBox("I'd like a make-up session", id="makeup", compact=True)
                yield TickBox("Attach my reflection", id="attach", compact=True, disabled=True)
                yield Static(id="preview")
                yield Static(id="notify-error", classes="error")
                with Horizontal(classes="buttons"):
                    yield Button("Send (ctrl+s)", variant="primary", id="send")
                    yield Button("Cancel (esc)", id="cancel")
            with TabPane("Outbox", id="outbox"):
                yield DataTable(id="outbox-table", cursor_type="row")
                yield Static("[dim]d discards a queued or refused notice[/]", classes="hint")
            with TabPane("Replies", id="replies"):
                yield DataTable(id="replies-table", cursor_type="row")
                yield Static(id="reply-detail")
                yield Static(
                    "[dim]a picks a make-up slot the coordinator offered, or declines[/]",
                    classes="hint",
                )

    def on_mount(self) -> None:
        self.query_one("#preview").border_title = "What the coordinator will see"
        self.query_one("#outbox-table", DataTable).add_columns(
            "Session", "When", "Notice", "Reason", "State"
        )
        self.query_one("#replies-table", DataTable).add_columns(
            "Received", "Session", "Reply", "Make-up"
        )

    def loader(self) -> Any:
        return load_notify

    def prefill(self, occurrence_id: str, makeup: bool) -> None:
        """Open the form on one session (from Today, Schedule or Catch-up)."""
        self.pending = (occurrence_id, makeup)
        self.query_one(TabbedContent).active = "tell"
        # Applied by the next show: what this screen holds may be from before the session
        # existed (a screen built ahead, or visited before enrolling).
        self.reload()

    # ---- showing -----------------------------------------------------------------------
    def show(self, data: NotifyData) -> None:
        self.data = data
        if self.companion.journal_key is None and self.opened:  # locked again: drop it
            self.opened.clear()
            self.query_one("#attach", Checkbox).value = False
        tz = data.tz
        session = self.query_one("#session", Select)
        current = session.value
        now = self.companion.now()
        options = [
            (
                f"{o.local_start(tz):%a %d %b %H:%M} · {o.title}"
                + ("" if o.start > now else " (missed)"),
                o.id,
            )
            for o in data.candidates
        ]
        if options != self._session_options:  # a reload mid-form leaves the choice alone
            self._session_options = options
            session.set_options(options)
            ids = [o.id for o in data.candidates]
            if current in ids:
                session.value = current
            elif ids:
                upcoming = [o.id for o in data.candidates if o.start > now]
                session.value = upcoming[0] if upcoming else ids[-1]
        self._apply_pending()
        self._fill_outbox(data)
        self._fill_replies(data)
        if not data.available:
            self.query_one("#notify-error", Static).update(NO_SYNC_LAYER)
        self.update_preview()

    def _apply_pending(self) -> None:
        if self.pending is None or self.data is None:
            return
        occ_id, makeup = self.pending
        self.pending = None
        if occ_id and occ_id in [o.id for o in self.data.candidates]:
            self.query_one("#session", Select).value = occ_id
        elif occ_id:
            self.notify(
                "You have already told the coordinator about that session, or it is "
                "not one of the program's.",
                severity="warning",
            )
        self.query_one("#makeup", Checkbox).value = makeup
        self.query_one("#barrier", Select).focus()
        self.update_preview()

    def _fill_outbox(self, data: NotifyData) -> None:
        rows = []
        for entry in reversed(data.outbox):
            n = entry.notice
            state = n.state.value
            cells = (
                Text(n.title),
                f"{n.start.astimezone(data.tz):%a %d %b %H:%M}",
                n.timing.value,
                n.barrier.label,
                Text(
                    STATE_WORDS.get(state, state),
                    style={"queued": "yellow", "failed": "red"}.get(state, "green"),
                ),
            )
            rows.append((n.id, cells))
        fill_table(self.query_one("#outbox-table", DataTable), rows)
        self.query_one(TabbedContent).get_tab("outbox").label = f"Outbox ({len(data.outbox)})"

    def _fill_replies(self, data: NotifyData) -> None:
        rows = []
        for r in data.replies:
            cells = (
                f"{r.at.astimezone(data.tz):%a %d %b}",
                Text(r.notice_title),
                Text(r.text or r.status),
                makeup_cell(r.makeup, data.tz),
            )
            rows.append((str(r.id), cells))
        fill_table(self.query_one("#replies-table", DataTable), rows)
        self._show_reply()
        self.query_one(TabbedContent).get_tab("replies").label = f"Replies ({len(data.replies)})"

    # ---- the live preview ----------------------------------------------------------------
    def on_select_changed(self) -> None:
        self.update_preview()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "attach" and event.value:
            self._open_attached()
        self.update_preview()

    def _open_attached(self) -> None:
        """The client chose to attach a locked reflection: decrypt that one, in memory,
        asking for the passphrase first when the journal is locked."""
        occ_id = self.query_one("#session", Select).value
        occ = next((o for o in self.data.candidates if o.id == occ_id), None) if self.data else None
        reflection = self._reflection_for(occ)
        if reflection is None or not reflection.locked or reflection.id in self.opened:
            return
        rid = reflection.id

        def declined() -> None:
            self.query_one("#attach", Checkbox).value = False

        self.companion.with_journal_key(
            lambda key: self._decrypt(rid, key), ATTACH_LOCKED, otherwise=declined
        )

    @work(exclusive=True, group="attach", exit_on_error=False)
    async def _decrypt(self, rid: int | None, key: bytes | None) -> None:
        from companion.actions.journal import get_reflection

        if rid is None:
            return
        try:
            found = await self.companion.backend.call(get_reflection, rid, key)
        except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
            self.app.post_message(ActionFailed(f"Could not open the reflection: {exc}"))
            return
        if found.locked:
            self.query_one("#attach", Checkbox).value = False
            return
        self.opened = {rid: found}
        self.update_preview()

    def on_input_changed(self) -> None:
        self.update_preview()

    def _chosen(self) -> tuple[Occurrence | None, Barrier | None, Reflection | None]:
        data = self.data
        if data is None:
            return None, None, None
        occ_id = self.query_one("#session", Select).value
        occ = next((o for o in data.candidates if o.id == occ_id), None)
        barrier = self.query_one("#barrier", Select).value
        attach = self.query_one("#attach", Checkbox)
        reflection = self._reflection_for(occ)
        attach.disabled = reflection is None
        attach.label = (
            attach_label(reflection, data.titles, data.tz)
            if reflection
            else "Attach my reflection (none written yet)"
        )
        if reflection is None:
            attach.value = False
        return (
            occ,
            barrier if isinstance(barrier, Barrier) else None,
            (reflection if attach.value else None),
        )

    def _reflection_for(self, occ: Occurrence | None) -> Reflection | None:
        if self.data is None or not self.data.reflections:
            return None
        linked = [r for r in self.data.reflections if occ and r.occurrence == occ.key]
        found = linked[0] if linked else self.data.reflections[0]
        return self.opened.get(found.id or 0, found)

    def update_preview(self) -> None:
        if self.data is None:
            return
        occ, barrier, reflection = self._chosen()
        now, tz = self.companion.now(), self.data.tz
        timing = self.query_one("#timing", Static)
        if occ is None:
            timing.update(
                "No session to give notice about in the next four weeks."
                if not self.data.candidates
                else ""
            )
            self.query_one("#preview", Static).update("[dim]Choose a session.[/]")
            return
        if timing_for(occ.start, now) is Timing.ADVANCE:
            timing.update(
                f"[$success]advance notice[/] · in {duration_words(occ.start - now)}"
                " · the session will count as excused"
            )
        else:
            timing.update(
                f"[$warning]after the fact[/] · {duration_words(now - occ.start)} ago"
                " · the session stays missed, with a catch-up checklist"
            )
        if barrier is None:
            self.query_one("#preview", Static).update("[dim]Choose what gets in the way.[/]")
            return
        from companion.tui.optional import notify as notify_module

        module = notify_module()
        if reflection is not None and reflection.locked:  # being opened: not shown yet
            reflection = None
        shared = module.reflection_text(reflection) if (module and reflection) else None
        notice = AbsenceNotice(
            id="preview",
            series_uid=occ.series_uid,
            original_start=occ.original_start,
            title=occ.title,
            start=occ.start,
            timing=timing_for(occ.start, now),
            barrier=barrier,
            created_at=now,
            message=self.message_field.value.strip()[:MESSAGE_LIMIT],
            makeup=self.query_one("#makeup", Checkbox).value,
            shared_reflection=shared,
        )
        self.query_one("#preview", Static).update(
            preview(notice, self.data.client_name, tz).replace("[", "\\[")
        )

    # ---- actions -------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send":
            self.action_send()
        elif event.button.id == "cancel":
            self.action_back()

    def action_send(self) -> None:
        occ, barrier, reflection = self._chosen()
        error = self.query_one("#notify-error", Static)
        ok, message = self.message_field.validate_now()
        if occ is None:
            error.update("Choose the session first.")
            self.query_one("#session", Select).focus()
        elif barrier is None:
            error.update("Choose what gets in the way (the coordinator sees it as the reason).")
            self.query_one("#barrier", Select).focus()
        elif not ok:
            self.message_field.input.focus()
        elif self.data is not None and not self.data.available:
            self.app.post_message(ActionFailed(NO_SYNC_LAYER))
        elif reflection is not None and reflection.locked:
            error.update("Unlock your journal to attach the reflection, or untick it.")
            self._open_attached()
        else:
            error.update("")
            self.companion.perform(
                send_notice,
                occ.id,
                barrier,
                message,
                self.query_one("#makeup", Checkbox).value,
                reflection.id if reflection else None,
                self.companion.journal_key if reflection else None,
                done=NoticeQueued,
            )
            self._reset()
            self.action_tab("outbox")

    def _reset(self) -> None:
        self.query_one("#barrier", Select).clear()
        self.message_field.input.value = ""
        self.query_one("#makeup", Checkbox).value = False
        self.query_one("#attach", Checkbox).value = False
        self.opened.clear()
        self.query_one("#notify-error", Static).update("")

    def action_back(self) -> None:
        """Escape: leave without sending; the form starts afresh next time."""
        self._reset()
        self.app.switch_mode("today")

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        # Focus follows, or the tabs would switch back to where the focus was left.
        target = {"outbox": "#outbox-table", "replies": "#replies-table", "tell": "#session"}
        self.query_one(target[tab]).focus()

    def action_discard(self) -> None:
        table = self.query_one("#outbox-table", DataTable)
        if self.query_one(TabbedContent).active != "outbox" or not table.row_count:
            return
        notice_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        notify = optional.notify()
        if notify is None or notice_id is None:
            return
        from companion.tui.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.companion.perform(notify.discard, notice_id, done=NoticeDiscarded)

        self.app.push_screen(
            ConfirmDialog("Discard this notice? It will not be sent.", yes="Discard"), answered
        )

    def action_makeup(self) -> None:
        """Pick one of the slots the selected reply offers, or decline them (a dialog);
        from another tab, go to the replies first."""
        if self.query_one(TabbedContent).active != "replies":
            self.action_tab("replies")
            return
        notify, reply = optional.notify(), self._selected_reply()
        if self.data is None or notify is None or reply is None:
            self.notify("No replies from your coordinator yet.")
            return
        offer = reply.makeup
        if offer is None:
            self.notify("This reply offers no make-up session.", severity="warning")
            return
        from companion.tui.dialogs.makeup import DECLINE, MakeupDialog

        def answered(slot: int | None) -> None:
            if slot is None:
                return
            if slot == DECLINE and offer.declined:
                self.notify("You already declined these slots.")
            elif slot == DECLINE:
                self.companion.perform(
                    notify.accept_makeup, reply.id, decline=True, done=MakeupDeclined
                )
            elif slot == chosen_slot(offer):
                self.notify(f"Slot {slot} is already your choice.")
            else:
                self.companion.perform(notify.accept_makeup, reply.id, slot, done=MakeupAccepted)

        self.app.push_screen(MakeupDialog(offer, reply.notice_title, self.data.tz), answered)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "replies-table":
            self._show_reply()

    def _selected_reply(self) -> Any:
        """The reply under the Replies table's cursor, if any."""
        key = cursor_key(self.query_one("#replies-table", DataTable))
        replies = self.data.replies if self.data else []
        return next((r for r in replies if str(r.id) == key), None)

    def _show_reply(self) -> None:
        """The selected reply in full below the table (kept current after a choice)."""
        reply = self._selected_reply()
        if reply is not None and self.data is not None:
            self.set_text("#reply-detail", reply_line(reply, self.data.tz))
