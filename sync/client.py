"""The client's side of sync: enrol with a program, deliver the outbox, pull the changes.

``sync_now`` never raises for network trouble: its :class:`SyncResult` says ``offline`` or
``failed`` with a message, and everything not delivered stays queued for the next try.
One sync at a time per profile: an exclusive lock on the profile's ``sync.lock`` file,
next to its database, which the kernel releases when a holder dies, even by SIGKILL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from math import ceil
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import ValidationError

from companion.actions.demo import demo_summary, describe_demo, remove_demo
from companion.actions.profile import Profile, UserError
from companion.domain.attendance import Policy
from companion.domain.notices import KEEP_DELIVERED_NOTICES, delivered_words
from companion.domain.schedule import ScheduleError
from companion.store import repo_makeup, repo_outbox, repo_schedule, repo_sync
from companion.store.db import StoreError
from companion.store.lock import outbox_lock
from companion.store.repo_demo import DemoCounts
from companion.store.repo_schedule import Program
from sync.changes import (
    ChangeCounts,
    PageError,
    apply_page,
    read_page,
    recover_contacts,
    save_contacts,
    set_aside,
    usable_contacts,
    usable_schedule,
)
from sync.credentials import (
    CredentialsError,
    forget_token,
    read_credentials,
    read_token,
    write_token,
)
from sync.outbox import drain
from sync.preferences import FeedChoice, send_if_changed
from sync.protocol import (
    CLIENT_FEATURES,
    FEATURES_HEADER,
    DeviceRemoved,
    EnrollRequest,
    EnrollResponse,
    series_from_wire,
)
from sync.tls import TlsSetupError, ssl_context
from sync.transport import Api, Permanent, SyncError, Transient
from sync.transport import Unauthorized as TransportUnauthorized

log = logging.getLogger("companion.sync")
MAX_PAGES = 200
NOT_ENROLLED = (
    "not enrolled with a program: run `companion enroll SERVER_URL CODE` with the code "
    "from your coordinator"
)
State = Literal["ok", "offline", "failed", "busy", "not_enrolled"]


@dataclass
class SyncResult:
    """What one sync did; ``message`` is for the client when ``state`` is not ok."""

    state: State
    message: str = ""
    delivered: int = 0
    failed: int = 0
    queued: int = 0
    changes: ChangeCounts = field(default_factory=ChangeCounts)
    choices: int = 0  # of ``delivered``: make-up choices (the rest are notices)
    failures: list[tuple[str, str]] = field(default_factory=list)
    feed: FeedChoice | None = None  # set when this sync sent the calendar feed choice

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def delivered_words(self) -> str:
        """'2 notices', '1 make-up choice', '1 notice and 1 make-up choice' ('' for none)."""
        return delivered_words(self.delivered - self.choices, self.choices)

    def as_json(self) -> dict[str, object]:
        return {
            "state": self.state,
            "message": self.message,
            "delivered": self.delivered,
            "makeup_choices_delivered": self.choices,
            "failed": self.failed,
            "queued": self.queued,
            "failures": [{"id": i, "error": e} for i, e in self.failures],
            "changes": self.changes.as_json(),
            "calendar_feed": None if self.feed is None else feed_words(self.feed),
        }


def feed_words(choice: FeedChoice) -> str:
    """How the device's calendar feed shows sessions: ``discreet`` or ``titles``."""
    return "discreet" if choice.feed_discreet else "titles"


def is_enrolled(profile: Profile) -> bool:
    """Enrolled: the server is saved and so is a token file (a damaged one too: syncing
    then says what is wrong instead of pretending there is no program)."""
    return (
        repo_sync.get_state(profile.store.conn) is not None
        and profile.paths.credentials_file.exists()
    )


def check_server_url(url: str) -> str:
    """A base URL without its trailing slash; https, or plain http to this machine only."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"{url!r} is not a server address; use https://host[:port]")
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        raise UserError("use https:// for a program server; plain http only works for localhost")
    return url.strip().rstrip("/")


@contextmanager
def sync_lock(profile: Profile, wait: float) -> Iterator[bool]:
    """Hold the profile's sync lock; yields False when another process kept it ``wait`` s."""
    with outbox_lock(profile.paths.lock_file, wait) as held:
        yield held


def _api(profile: Profile, timeout: float, retry_budget: float | None = None) -> Api | None:
    state = repo_sync.get_state(profile.store.conn)
    saved = read_credentials(profile)
    if state is None or saved is None:
        return None
    budget = retry_budget if retry_budget is not None else max(timeout * 2, 5.0)
    return Api(state.server_url, saved.token, timeout=timeout, budget_s=budget,
               ca_file=saved.ca_file)  # fmt: skip


def pull(profile: Profile, api: Api) -> ChangeCounts:
    """Fetch and apply changes from the saved cursor until the server has no more."""
    total = ChangeCounts()
    for _ in range(MAX_PAGES):
        state = repo_sync.get_state(profile.store.conn)
        cursor = state.cursor if state else ""
        params = {"since": cursor} if cursor else None
        try:
            page = read_page(api.call("GET", "/v1/changes", params=params))
        except PageError as exc:
            raise SyncError(str(exc)) from None
        if not page.changes and page.cursor == cursor:
            break  # idle: nothing to write
        total.add(apply_page(profile, page))
        if not page.more:
            break
    total.contacts += recover_contacts(profile)
    return total


def _exchange(profile: Profile, api: Api, result: SyncResult) -> SyncError | None:
    """Send the calendar feed choice when it changed, then pull the changes. A choice the
    server refuses does not stop the pull, but the sync reports it: the feed may still
    show session titles."""
    problem = None
    try:
        result.feed = send_if_changed(profile, api)
    except Permanent as exc:
        problem = SyncError(f"the server did not take this device's calendar choice ({exc})")
    except ValidationError:
        problem = SyncError("the server's answer about the calendar feed cannot be read")
    except SyncError as exc:
        return exc
    try:
        result.changes = pull(profile, api)
    except SyncError as exc:
        return exc
    except ValidationError:
        return SyncError("the server sent changes this version cannot read")
    return problem


def _finish(profile: Profile, result: SyncResult, error: SyncError | None) -> SyncResult:
    conn = profile.store.conn
    result.queued = repo_outbox.counts(conn)["queued"] + repo_makeup.queued(conn)
    # A 429 whose Retry-After outlasted this run's retries: later runs wait it out too.
    # Wall-clock time, not the profile's clock (which tests and demos may freeze).
    wait = error.retry_after if isinstance(error, Transient) else None
    not_before = datetime.now(UTC) + timedelta(seconds=wait) if wait else None
    with profile.store.transaction() as tx:
        if repo_sync.get_state(tx) is not None:
            message = "" if result.ok else result.message
            repo_sync.record_outcome(tx, profile.now(), message, not_before)
    return result


def _asked_to_wait(profile: Profile) -> SyncResult | None:
    state = repo_sync.get_state(profile.store.conn)
    left = (
        (state.not_before - datetime.now(UTC)).total_seconds() if state and state.not_before else 0
    )
    if left <= 0:
        return None
    queued = repo_outbox.counts(profile.store.conn)["queued"]
    message = f"the server asked to wait {ceil(left)} s more before the next sync"
    return SyncResult("failed", message, queued=queued)


def _purge_delivered(profile: Profile) -> None:
    """Drop notices delivered over ``KEEP_DELIVERED_NOTICES`` ago (never the journal); a
    store that cannot be written keeps them for the next sync."""
    try:
        with profile.store.transaction() as conn:
            gone = repo_outbox.purge_delivered(conn, profile.now() - KEEP_DELIVERED_NOTICES)
    except StoreError as exc:
        log.info("kept old delivered notices: %s", exc)
        return
    if gone:
        log.info("removed %d notice(s) delivered over a year ago", gone)


def sync_now(
    profile: Profile,
    timeout: float = 10.0,
    *,
    pull_changes: bool = True,
    retry: bool = True,
    lock_wait: float | None = None,
) -> SyncResult:
    """Deliver the outbox, then pull the changes. Never raises for network trouble.

    ``timeout`` bounds each network wait; retries with backoff stop after about twice that.
    ``lock_wait`` is how long to wait for another sync of this profile (default ``timeout``).
    """
    if not is_enrolled(profile):
        queued = repo_outbox.counts(profile.store.conn)["queued"]
        return SyncResult("not_enrolled", NOT_ENROLLED, queued=queued)
    try:
        read_token(profile)
    except CredentialsError as exc:
        queued = repo_outbox.counts(profile.store.conn)["queued"]
        return SyncResult("failed", str(exc), queued=queued)
    waiting = _asked_to_wait(profile)
    if waiting is not None:
        return waiting
    with sync_lock(profile, wait=timeout if lock_wait is None else lock_wait) as held:
        if not held:
            queued = repo_outbox.counts(profile.store.conn)["queued"]
            return SyncResult(
                "busy",
                "another sync of this profile is running; it delivers what is queued",
                queued=queued,
            )
        _purge_delivered(profile)
        api = _api(profile, timeout, None if retry else 0.0)
        assert api is not None
        result = SyncResult("ok")
        with api:
            report = drain(profile, api, retry=retry)
            result.delivered, result.failures = len(report.delivered), report.failed
            result.choices = report.choices
            result.failed = len(report.failed)
            error: SyncError | None = report.error
            if error is None and pull_changes:
                error = _exchange(profile, api, result)
        if error is not None:
            offline = isinstance(error, Transient) and error.offline
            result.state = "offline" if offline else "failed"
            result.message = str(error)
        return _finish(profile, result, error)


def push(profile: Profile, timeout: float = 3.0) -> SyncResult:
    """Try once, right now, to deliver the outbox (after `notify`); no retries, no pull."""
    return sync_now(profile, timeout, pull_changes=False, retry=False, lock_wait=0.2)


@dataclass(frozen=True, slots=True)
class EnrollResult:
    server_url: str
    program: str
    client_name: str
    series: int
    feed_url: str
    discreet_default: bool = False
    feed: FeedChoice | None = None  # the device's discreet choice, when sent at enrolment
    feed_pending: bool = False  # a discreet choice the server has not taken yet
    demo_removed: DemoCounts | None = None  # what of the demo went, when it was there
    set_aside: tuple[str, ...] = ()  # a line per series this version could not use


class DemoInTheWay(UserError):
    """The profile holds the demo and enrolling was not told to replace it."""

    def __init__(self, held: DemoCounts) -> None:
        super().__init__(
            f"{describe_demo(held)} To go ahead, run `companion enroll` again with "
            "--replace-demo; nothing was changed and the code is still unused"
        )
        self.held = held


def enroll(
    profile: Profile,
    server_url: str,
    code: str,
    device_name: str = "",
    *,
    replace_demo: bool = False,
    ca_file: str = "",
) -> EnrollResult:
    """Exchange a one-time code for a device token; save the program and its schedule.

    A profile holding the demo is refused (:class:`DemoInTheWay`, before the code is used)
    unless ``replace_demo``; then the demo goes in the same transaction that saves the
    program, so none of it (a queued notice least of all) ever reaches the server.
    Raises :class:`UserError` with a one-line reason (wrong or used code, server down).
    """
    if is_enrolled(profile):
        state = repo_sync.get_state(profile.store.conn)
        where = state.server_url if state else "a server"
        raise UserError(f"already enrolled with {where}; run `companion unenroll` first")
    url = check_server_url(server_url)
    ca_file = _usable_ca_file(ca_file)
    held = demo_summary(profile)
    if held is not None and not replace_demo:
        raise DemoInTheWay(held)
    try:
        request = EnrollRequest(code=code.strip(), device_name=device_name.strip()[:100])
    except ValidationError:
        raise UserError("the enrolment code is empty, too long or not one line") from None
    try:
        with Api(url, timeout=15.0, ca_file=ca_file) as api:
            # One try only: a lost answer may have used the code up already.
            body = api.call(
                "POST",
                "/v1/enroll",
                retry=False,
                content=request.model_dump_json().encode(),
                headers={"Content-Type": "application/json",
                         FEATURES_HEADER: ",".join(CLIENT_FEATURES)},
            )  # fmt: skip
        # One series the client cannot use is set aside; it does not stop the enrolment.
        # Nor do crisis contacts it cannot use: the panel then shows the defaults.
        if not isinstance(body, dict):
            raise ValueError("not a JSON object")
        wires, unusable = usable_schedule(body.get("schedule"))
        raw_program = body.get("program")
        contacts, contacts_problem = usable_contacts(raw_program)
        if isinstance(raw_program, dict):
            raw_program = {k: v for k, v in raw_program.items() if k != "crisis_contacts"}
        answer = EnrollResponse.model_validate({**body, "schedule": wires, "program": raw_program})
        series = [series_from_wire(s) for s in answer.schedule]
        info = answer.program
        program = Program(
            info.name, info.timezone, Policy(info.threshold, info.unexcused_limit), info.coordinator
        )
    except Permanent as exc:
        raise UserError(f"enrolment refused: {exc}") from None
    except SyncError as exc:
        raise UserError(f"enrolment failed: {exc}") from None
    except (ValidationError, ScheduleError, ValueError) as exc:
        raise UserError(f"enrolment failed: the server's answer cannot be used ({exc})") from None
    now = profile.now()
    keep = {s.uid for s in series}
    with profile.store.transaction() as conn:
        removed = remove_demo(profile)
        repo_schedule.save_program(conn, program)
        for old in repo_schedule.list_series(conn):
            if old.origin == "program" and old.uid not in keep:
                repo_schedule.remove_series(conn, old.uid)  # another program's sessions
        for s in series:
            repo_schedule.save_series(conn, s, now)
        aside = ChangeCounts()
        for raw, reason in unusable:
            set_aside(conn, raw, reason, answer.cursor, now, aside)
        if contacts_problem:
            raw = {"type": "crisis_contacts", "contacts": body["program"]["crisis_contacts"]}
            set_aside(conn, raw, contacts_problem, answer.cursor, now, aside)
        # An older server sends none: another program's contacts must not stay either.
        save_contacts(conn, contacts or [], now)
        repo_sync.save_enrolment(conn, url, answer.feed_url, answer.client_name, answer.cursor,
                                 now, answer.added_at)  # fmt: skip
        repo_sync.set_discreet(conn, None, info.discreet_default)  # a new device's state
        # Inside the transaction: if the token cannot be written, nothing is saved.
        write_token(profile, url, answer.token, ca_file)
    done = EnrollResult(url, info.name, answer.client_name, len(series), answer.feed_url,
                        info.discreet_default, demo_removed=removed,
                        set_aside=tuple(aside.set_aside))  # fmt: skip
    return _send_choice_now(profile, done)


def _usable_ca_file(ca_file: str) -> str:
    """``--ca-file`` as an absolute path that loads, '' for none; :class:`UserError` if not."""
    if not ca_file:
        return ""
    path = str(Path(ca_file).expanduser().resolve())
    try:
        ssl_context(path)
    except TlsSetupError as exc:
        raise UserError(f"enrolment failed: {exc}") from None
    return path


def _send_choice_now(profile: Profile, done: EnrollResult) -> EnrollResult:
    """A discreet choice goes to the server at once: the client may subscribe to the feed
    URL before the first sync. If it cannot, the next sync sends it."""
    api = _api(profile, timeout=10.0)
    assert api is not None
    try:
        with api:
            choice = send_if_changed(profile, api)
    except (SyncError, ValidationError) as exc:
        log.info("the calendar feed choice waits for the next sync (%s)", type(exc).__name__)
        return replace(done, feed_pending=True)
    return replace(done, feed=choice)


def unenroll(profile: Profile) -> tuple[str, int]:
    """Forget the server (token and cursor); the schedule and notices stay. Returns the
    server URL and how many notices were never delivered."""
    state = repo_sync.get_state(profile.store.conn)
    if state is None and not profile.paths.credentials_file.exists():
        raise UserError("not enrolled with a program")
    url = state.server_url if state else ""
    if not url:
        try:
            saved = read_credentials(profile)
        except CredentialsError:
            saved = None  # damaged: forgetting it is the way out
        url = saved.server_url if saved else ""
    with profile.store.transaction() as conn:
        repo_sync.forget_enrolment(conn)
        forget_token(profile)
    counts = repo_outbox.counts(profile.store.conn)
    return url, counts["queued"] + counts["failed"]


def remove_device(server_url: str, token: str, timeout: float = 10.0, ca_file: str = "") -> bool:
    """Remove this device from the program (DELETE /v1/device), before its data is erased:
    its token and calendar feed stop working. True when the server removed it now, False
    when it had refused the token already (revoked, or removed before). Raises
    ``SyncError``: ``Transient`` when the server cannot be reached, ``Permanent`` when it
    refuses (an older server has no such request: 404 or 405)."""
    with Api(server_url, token, timeout=timeout, budget_s=max(timeout * 2, 5.0),
             ca_file=ca_file) as api:  # fmt: skip
        try:
            DeviceRemoved.model_validate(api.call("DELETE", "/v1/device"))
        except TransportUnauthorized:
            return False
        except ValidationError:
            raise Transient("the server's answer to removing this device cannot be read") from None
    return True
