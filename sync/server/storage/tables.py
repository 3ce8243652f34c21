"""The server's tables (SQLAlchemy Core), one definition for SQLite and PostgreSQL.

Times are stored as fixed-width UTC text (``2026-11-26T22:12:00.000000Z``): it sorts like
the instant it names, compares equal across both databases, and reads the same through
SQLAlchemy and through the raw driver cursors the hot paths use (see ``repo.py``).
Secrets (device tokens, feed tokens, enrolment codes, session tokens) are stored only as
SHA-256 digests; passwords only as argon2 hashes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    false,
    literal_column,
    or_,
    true,
)

STAMP = String(27)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def stamp(when: datetime) -> str:
    """An aware datetime as the stored UTC text."""
    if when.tzinfo is None:
        raise ValueError("naive datetime given to the server store")
    u = when if when.tzinfo is UTC else when.astimezone(UTC)
    # %-formatting by hand: strftime("%Y") does not pad years before 1000, and this is
    # twice as fast as an f-string with format specs (four stamps per notice).
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (  # noqa: UP031 (the faster form)
        u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond,
    )  # fmt: skip


def unstamp(text: str) -> datetime:
    """The aware UTC datetime a stored stamp names."""
    return datetime.fromisoformat(text)


programs = Table(
    "programs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("timezone", String(64), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("unexcused_limit", Integer, nullable=False),
    Column("coordinator", String(200), nullable=False, default=""),
    # The program's change counter: the cursor of GET /v1/changes. Bumped with a row
    # lock (UPDATE ... RETURNING) in the writing transaction, so commits happen in
    # counter order and every reader sees a gap-free prefix.
    Column("last_change", Integer, nullable=False, default=0),
    Column("last_change_at", STAMP, nullable=False),
    Column("created_at", STAMP, nullable=False),
    # Calendar feeds of devices that made no choice of their own are discreet (neutral
    # titles, nothing naming treatment) when this is true.
    Column("discreet_default", Boolean, nullable=False, default=False, server_default=false()),
    # The program's crisis contacts for the clients' "Need help now?" panel, as the JSON of
    # a list of protocol ``CrisisContactWire`` (checked before it is stored; at most 10).
    Column("crisis_contacts", Text, nullable=False, default="[]", server_default="[]"),
    # Revision 0013: retention. Notices (with their replies) and audit entries older than
    # these many days go in the daily purge (``sync/server/retention.py``).
    Column("retain_notices_days", Integer, nullable=False, default=730, server_default="730"),
    Column("retain_audit_days", Integer, nullable=False, default=2190, server_default="2190"),
)

# Revision 0013: the UTC day each daily job (``purge``) last ran. A process claims a day
# with one UPDATE ... WHERE last_day < today: of several server processes, one wins.
maintenance_runs = Table(
    "maintenance_runs",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("last_day", String(10), nullable=False),
    Column("at", STAMP, nullable=True),
)

coordinators = Table(
    "coordinators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("program_id", ForeignKey("programs.id"), nullable=False),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", STAMP, nullable=False),
    # Revision 0009: ``admin`` (manages coordinators and program settings, reads the audit
    # trail; works with clients too) or ``coordinator`` (works with clients).
    Column("role", String(20), nullable=False, server_default="coordinator"),
    # Revision 0012: when an admin disabled the account (no sign-in, no sessions).
    Column("disabled_at", STAMP, nullable=True),
    # Revision 0015: whether the coordinator gets alert emails (new notices, digest).
    Column("mail_alerts", Boolean, nullable=False, server_default=true()),
)

# Revision 0015: the outgoing mail queue, drained by the server's background task
# (``sync/server/mail.py``); a row is claimed (``claimed_until``) before it is sent.
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("to", String(254), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("kind", String(20), nullable=False),  # notices, digest, invite, ...
    Column("dedupe_key", String(200), nullable=True, unique=True),
    Column("created_at", STAMP, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=literal_column("0")),
    Column("next_try_at", STAMP, nullable=False),
    Column("claimed_until", STAMP, nullable=True),
    Column("sent_at", STAMP, nullable=True),
    Column("last_error", String(300), nullable=True),
    Index("ix_mail_outbox_due", "sent_at", "next_try_at"),
)

# Revision 0015: notices already announced to the program's coordinators by email.
mail_announced = Table(
    "mail_announced",
    metadata,
    Column("notice_id", String(36), primary_key=True),
    Column("program_id", Integer, nullable=False),
    Column("at", STAMP, nullable=False),
)

coordinator_sessions = Table(
    "coordinator_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("coordinator_id", ForeignKey("coordinators.id"), nullable=False),
    Column("created_at", STAMP, nullable=False),
    Column("expires_at", STAMP, nullable=False),
    # Revision 0012: where the session was opened from, and when it was last used
    # (written at most once a minute; the idle timeout measures from it).
    Column("address", String(100), nullable=True),
    Column("last_used_at", STAMP, nullable=True),
)

clients = Table(
    "clients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("program_id", ForeignKey("programs.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("created_at", STAMP, nullable=False),
    Column("revoked_at", STAMP, nullable=True),
    # Bumped when something only this client's feed shows changes (an advance notice).
    Column("feed_rev", Integer, nullable=False, default=0),
    Column("feed_changed_at", STAMP, nullable=False),
    # Revision 0011: discharged from the program (kept for the record; their devices and
    # feeds stop until re-admitted, off the at-risk list and the rosters).
    Column("discharged_at", STAMP, nullable=True),
)

enrol_codes = Table(
    "enrol_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("client_id", ForeignKey("clients.id"), nullable=False, index=True),
    Column("created_at", STAMP, nullable=False),
    Column("expires_at", STAMP, nullable=False),
    Column("used_at", STAMP, nullable=True),
)

# Failed guesses (enrolment codes, coordinator passwords) per remote address: the rate
# limit lives in the database so that every server process sharing it enforces it.
failed_attempts = Table(
    "failed_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scope", String(20), nullable=False),
    Column("remote", String(100), nullable=False),
    Column("at", STAMP, nullable=False),
    Index("ix_failed_attempts_lookup", "scope", "remote", "at"),
)

# Every coordinator sign-in attempt, from the API and the dashboard form alike: the
# throttle (``sync/server/throttle.py``) counts these, in the database, so every server
# process sharing it enforces one limit. ``account`` is a digest of the normalised email
# (the table keeps no typed addresses, which are sometimes passwords); a successful
# sign-in stays on record for a while and makes its address one the account "usually"
# signs in from.
signin_attempts = Table(
    "signin_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account", String(64), nullable=False),
    Column("coordinator_id", ForeignKey("coordinators.id"), nullable=True),
    Column("remote", String(100), nullable=False),
    Column("at", STAMP, nullable=False),
    Column("outcome", String(10), nullable=False),  # pending, failed, ok
    Index("ix_signin_attempts_account", "account", "at"),
    Index("ix_signin_attempts_remote", "remote", "at"),
    Index("ix_signin_attempts_at", "at"),
)

# One-time links for coordinator accounts (revision 0011): a password reset (from an
# admin or ``companion-server reset-password``) or an invitation. Only the digest is
# kept; a link works once, until it expires.
account_tokens = Table(
    "account_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("purpose", String(10), nullable=False),  # reset, invite
    Column("coordinator_id", ForeignKey("coordinators.id"), nullable=True),
    Column("program_id", ForeignKey("programs.id"), nullable=False),
    Column("email", String(254), nullable=True),  # an invitation's address
    Column("role", String(20), nullable=True),  # an invitation's role
    Column("created_by", Integer, nullable=True),  # the admin's coordinator id (NULL: CLI)
    Column("created_at", STAMP, nullable=False),
    Column("expires_at", STAMP, nullable=False),
    Column("used_at", STAMP, nullable=True),
)

devices = Table(
    "devices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", ForeignKey("clients.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False, default=""),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("feed_hash", String(64), nullable=False, unique=True),
    Column("created_at", STAMP, nullable=False),
    Column("revoked_at", STAMP, nullable=True),
    # The device's own choice for its calendar feed: true discreet, false plain titles,
    # NULL the program's default (PUT /v1/preferences).
    Column("discreet", Boolean, nullable=True),
    # Bumped, with the time, when this device's feed changes for it alone: its discreet
    # choice or, for a device following the program's default, that default.
    Column("feed_rev", Integer, nullable=False, default=0, server_default=literal_column("0")),
    Column("feed_changed_at", STAMP, nullable=True),
)

series = Table(
    "series",
    metadata,
    Column("program_id", ForeignKey("programs.id"), primary_key=True),
    Column("uid", String(255), primary_key=True),
    Column("body", Text, nullable=False),  # SeriesWire JSON
    Column("updated_at", STAMP, nullable=False),
)

changes = Table(
    "changes",
    metadata,
    Column("program_id", ForeignKey("programs.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("client_id", ForeignKey("clients.id"), nullable=True),  # NULL: every client
    Column("body", Text, nullable=False),  # one protocol Change as JSON
    Column("at", STAMP, nullable=False),
)

notices = Table(
    "notices",
    metadata,
    Column("id", String(36), primary_key=True),  # the client-made UUID
    Column("client_id", ForeignKey("clients.id"), nullable=False),
    Column("program_id", ForeignKey("programs.id"), nullable=False),
    Column("series_uid", String(255), nullable=False),
    Column("original_start", STAMP, nullable=False),
    Column("title", String(200), nullable=False),
    Column("start", STAMP, nullable=False),
    Column("timing", String(10), nullable=False),
    Column("barrier", String(30), nullable=False),
    Column("message", Text, nullable=False),
    Column("makeup", Boolean, nullable=False),
    Column("shared_reflection", Text, nullable=True),
    Column("created_at", STAMP, nullable=False),  # the device's clock: kept, never trusted
    Column("received_at", STAMP, nullable=False),
    Column("digest", String(64), nullable=False),  # of the content: tells a retry from a clash
    Column("status", String(20), nullable=False, default="new"),
    # Revision 0003: ``timing``, ``title`` and ``start`` are the server's (from the schedule
    # and its own clock); what the device claimed, and its clock's offset at delivery.
    Column("claimed_timing", String(10), nullable=True),
    Column("clock_offset_s", Integer, nullable=True),
    Index("ix_notices_program_received", "program_id", "received_at"),
    Index("ix_notices_program_status", "program_id", "status", "received_at"),
    Index("ix_notices_client_occurrence", "client_id", "series_uid", "original_start"),
    # GET /v1/notices: one client's notices newest first, paged by (received_at, id).
    Index("ix_notices_client_received", "client_id", "received_at", "id"),
)

replies = Table(
    "replies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("notice_id", ForeignKey("notices.id"), nullable=False, index=True),
    Column("coordinator_id", ForeignKey("coordinators.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("text", Text, nullable=False, default=""),
    Column("makeup", Text, nullable=True),  # MakeupSlot JSON
    Column("materials", Text, nullable=False, default="[]"),  # list[Link] JSON
    Column("at", STAMP, nullable=False),
    # Revision 0014: every slot offered (list[MakeupSlot] JSON); ``makeup`` is the first.
    Column("makeup_slots", Text, nullable=True),
)

# Revision 0014: a client's answers to a reply's make-up slots, by the client-made id;
# ``slot`` NULL is a decline. The newest answer of a reply stands.
makeup_choices = Table(
    "makeup_choices",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("program_id", ForeignKey("programs.id"), nullable=False),
    Column("client_id", ForeignKey("clients.id"), nullable=False),
    Column("reply_id", ForeignKey("replies.id"), nullable=False),
    Column("notice_id", String(36), nullable=False),
    Column("n", Integer, nullable=False),  # the reply's 1st, 2nd... choice: the highest stands
    Column("slot", Integer, nullable=True),
    Column("start", STAMP, nullable=True),
    Column("end", STAMP, nullable=True),
    Column("digest", String(64), nullable=False),
    Column("created_at", STAMP, nullable=False),
    Column("received_at", STAMP, nullable=False),
    Index("ix_makeup_choices_reply", "reply_id", "n", unique=True),
    Index("ix_makeup_choices_client", "client_id"),
)

materials = Table(
    "materials",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("program_id", ForeignKey("programs.id"), nullable=False, index=True),
    Column("series_uid", String(255), nullable=False),
    Column("original_start", STAMP, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", String(200), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("coordinator_id", ForeignKey("coordinators.id"), nullable=False),
    Column("at", STAMP, nullable=False),
    Column("note", String(500), nullable=False, server_default=""),
    Column("updated_at", STAMP, nullable=True),  # the last edit (None: as attached)
    Column("withdrawn_at", STAMP, nullable=True),  # withdrawn: kept for the record
    Index("ix_materials_session", "program_id", "series_uid", "original_start"),
)

attendance = Table(
    "attendance",
    metadata,
    Column("client_id", ForeignKey("clients.id"), primary_key=True),
    Column("series_uid", String(255), primary_key=True),
    Column("original_start", STAMP, primary_key=True),
    Column("program_id", ForeignKey("programs.id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("at", STAMP, nullable=False),
    # Revision 0010: who recorded the status now standing (NULL: recorded before 0010);
    # a coordinator id (no foreign key: SQLite cannot add one to an existing table).
    Column("recorded_by", Integer, nullable=True),
)

# Every status ever recorded for a client's session, oldest first: the client's page
# shows who recorded what, and what it replaced (a re-saved roster overwrites
# ``attendance`` but adds a line here). Erasing a client removes theirs.
attendance_history = Table(
    "attendance_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("program_id", ForeignKey("programs.id"), nullable=False),
    Column("client_id", ForeignKey("clients.id"), nullable=False),
    Column("series_uid", String(255), nullable=False),
    Column("original_start", STAMP, nullable=False),
    Column("status", String(20), nullable=False),
    Column("recorded_by", ForeignKey("coordinators.id"), nullable=True),
    Column("at", STAMP, nullable=False),
    Index("ix_attendance_history_client", "client_id", "original_start"),
)

# The audit trail: who (a coordinator, a device, the command line) did what to which
# client, when and from where. Append-only: triggers refuse UPDATE and DELETE (revision
# 0010). Ids and fixed words only, never message, reply or reflection text, nor names;
# no foreign keys, so that erasing a client leaves the record of what happened.
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("program_id", Integer, nullable=False),
    Column("at", STAMP, nullable=False),
    Column("actor_kind", String(12), nullable=False),  # coordinator, device, cli
    Column("actor_id", Integer, nullable=True),
    Column("actor", String(254), nullable=False),  # the email, "device 7", "companion-server"
    Column("action", String(40), nullable=False),
    Column("client_id", Integer, nullable=True),
    Column("target", String(600), nullable=True),
    Column("detail", String(200), nullable=True),
    Column("address", String(100), nullable=True),
    Index("ix_audit_program", "program_id", "id"),
    Index("ix_audit_client", "program_id", "client_id", "id"),
)


def received_before(before: tuple[str, str]) -> ColumnElement[bool]:
    """Keyset paging of notices, newest first: the rows after (``received_at``, ``id``)."""
    at, notice_id = before
    return or_(
        notices.c.received_at < at,
        and_(notices.c.received_at == at, notices.c.id < notice_id),
    )
