"""``companion-server``: run the program server and administer it.

Argument parsing only; the work is in ``admin.py``, ``storage/migrate.py`` and
``app.py``. Every command takes ``--db URL`` (default: a SQLite file in the data dir,
``COMPANION_SERVER_HOME`` overrides) and ``--json``, which prints the result as one JSON
object. Bad input prints one line and exits 2.
"""

from __future__ import annotations

import argparse
import copy
import getpass
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError, StatementError

from sync.server import admin, demo, exposure, process
from sync.server.mailer import BadSmtpUrl, parse_smtp_url
from sync.server.proxies import TrustError, parse_trusted
from sync.server.settings import Settings, data_dir, default_db_url
from sync.server.storage import migrate
from sync.server.storage.engine import DatabaseUrlError, make_engine

PROG = "companion-server"
DB_HELP = (
    "database URL: sqlite:///PATH or postgresql+psycopg://USER@HOST/DB "
    "(default: SQLite in the data dir)"
)


DISCREET_HELP = (
    "calendar feeds are discreet by default: neutral titles, nothing naming treatment or attendance"
)


class UsageError(Exception):
    """Bad input: one line, exit 2."""


def _now() -> datetime:
    return datetime.now(UTC)


def _emit(args: argparse.Namespace, result: dict[str, Any], text: str) -> None:
    print(json.dumps(result) if args.json else text)


def _engine(args: argparse.Namespace, *, ready: bool = True) -> Engine:
    """The database of ``--db``; with ``ready`` its schema must be current.

    The default SQLite file is created and migrated on first use (zero set-up); any
    other database must be migrated with ``companion-server migrate``.
    """
    _private_location(args)
    url = args.db or default_db_url()
    engine = make_engine(url)
    if ready:
        if not args.db and migrate.current(engine) is None:
            migrate.upgrade(engine)
        migrate.check(engine)
    return engine


def cmd_migrate(args: argparse.Namespace) -> None:
    engine = _engine(args, ready=False)
    before, after = migrate.upgrade(engine)
    url = engine.url.render_as_string(hide_password=True)
    warning = _db_dir_warning(args)
    if warning:
        print(f"{PROG}: {warning}", file=sys.stderr)
    verb = "already at" if before == after else f"migrated from {before or 'empty'} to"
    _emit(args, {"database": url, "from": before, "to": after}, f"{url}: {verb} {after}")


def cmd_create_program(args: argparse.Namespace) -> None:
    r = admin.create_program(
        _engine(args),
        args.name,
        args.timezone,
        args.threshold,
        args.unexcused_limit,
        args.coordinator,
        _now(),
        args.discreet,
    )
    _emit(
        args,
        r,
        f"created program {r['name']!r} (id {r['program_id']}, {r['timezone']}, "
        f"weekly threshold {r['threshold']:.0%}"
        + (", discreet calendar feeds)" if r["discreet"] else ")"),
    )


def cmd_set_program(args: argparse.Namespace) -> None:
    r = admin.set_program(_engine(args), args.program, _now(), discreet=args.discreet)
    what = "discreet" if r["discreet"] else "session titles"
    if not r["changed"]:
        text = f"{r['name']!r}: calendar feeds already default to {what}; nothing changed"
    else:
        text = (f"{r['name']!r}: calendar feeds now default to {what} "
                f"({r['feeds_changed']} device feed(s) follow the default)")  # fmt: skip
    _emit(args, r, text)


MAX_CONTACTS_FILE = 64 * 1024


def _contacts_from_json(source: str) -> list[admin.CrisisContact]:
    """A JSON list of contacts from a file (``-``: standard input), each checked."""
    try:
        if source == "-":
            text = sys.stdin.read(MAX_CONTACTS_FILE + 1)
        else:
            with open(source, encoding="utf-8") as fh:
                text = fh.read(MAX_CONTACTS_FILE + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {source}: {getattr(exc, 'strerror', None) or exc}") from None
    if len(text) > MAX_CONTACTS_FILE:
        raise UsageError(f"{source} is larger than 64 KB; not a list of contacts")
    try:
        data = json.loads(text)
    except ValueError:
        raise UsageError(f"{source} is not JSON: give a list of {{name, phone, ...}}") from None
    if not isinstance(data, list):
        raise UsageError(f"{source} must hold a JSON list of {{name, phone, sms, url, note}}")
    return [admin.contact_of(item, f"contact {i}") for i, item in enumerate(data, 1)]


def _contacts_edit(args: argparse.Namespace) -> admin.ContactsEdit | None:
    """How ``crisis-contacts`` changes the list (old -> new); None only shows it."""
    details = {k: getattr(args, k) for k in ("phone", "sms", "url", "note") if getattr(args, k)}
    if details and args.add is None:
        raise UsageError("--phone, --sms, --url and --note go with --add NAME")
    if args.add is not None:
        added = admin.contact_of({"name": args.add, **details})
        return lambda old: [*old, added]
    if args.remove is not None:
        n = args.remove

        def remove(old: list[admin.CrisisContact]) -> list[admin.CrisisContact]:
            if not 1 <= n <= len(old):
                raise admin.AdminError(f"--remove {n}: the program lists {len(old)} contact(s)")
            return old[: n - 1] + old[n:]

        return remove
    if args.clear:
        return lambda old: []
    if args.from_json is not None:
        new = _contacts_from_json(args.from_json)
        return lambda old: new
    return None


def cmd_crisis_contacts(args: argparse.Namespace) -> None:
    edit = _contacts_edit(args)
    engine = _engine(args)
    if edit is None:
        r = admin.crisis_contacts(engine, args.program)
    else:
        r = admin.edit_crisis_contacts(engine, args.program, _now(), edit)
    _emit(args, r, _contacts_text(r, edit is not None))


def _contacts_text(r: dict[str, Any], edited: bool) -> str:
    from companion.domain.help_now import DEFAULT_CONTACTS, CrisisContact

    listed = [CrisisContact(**c) for c in r["contacts"]]
    lines = [f"{i}. {c.line()}" for i, c in enumerate(listed, 1)]
    if not lines:
        lines = [f"{r['name']!r} has no crisis contacts of its own."]
    else:
        lines.insert(0, f"{r['name']!r} crisis contacts, first in every client's panel:")
    lines.append("After them, clients always see: " + "; ".join(c.line() for c in DEFAULT_CONTACTS))
    if edited:
        lines.append("Clients see the change on their next sync." if r["changed"]
                     else "Nothing changed.")  # fmt: skip
    return "\n".join(lines)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != first:
            raise UsageError("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_create_coordinator(args: argparse.Namespace) -> None:
    engine = _engine(args)
    r = admin.create_coordinator(
        engine, args.email, _read_password(), args.program, _now(), args.role
    )
    text = f"created {r['role']} {r['email']} for {r['program']!r} (id {r['coordinator_id']})"
    _emit(args, r, text)


def cmd_add_client(args: argparse.Namespace) -> None:
    r = admin.add_client(_engine(args), args.name, args.program, _now())
    _emit(
        args,
        r,
        f"client {r['name']!r} (id {r['client_id']}) in {r['program']!r}\n"
        f"enrolment code: {r['code']}  (single use, valid until {r['expires_at']})\n"
        f"the client runs: companion enroll SERVER_URL {r['code']}",
    )


def cmd_revoke_client(args: argparse.Namespace) -> None:
    r = admin.revoke_client(_engine(args), args.client_id, _now())
    _emit(args, r, f"revoked client {r['client_id']}: {r['revoked_devices']} device(s) signed out")


def cmd_new_code(args: argparse.Namespace) -> None:
    r = admin.new_code(_engine(args), args.client, args.program, _now())
    text = (
        f"new enrolment code for {r['name']!r} (id {r['client_id']}): {r['code']}  "
        f"(single use, valid until {r['expires_at']}; other devices keep working)"
    )
    _emit(args, r, text)


def cmd_discharge(args: argparse.Namespace) -> None:
    readmit = args.command == "readmit"
    r = admin.discharge(_engine(args), args.client, args.program, _now(), readmit=readmit)
    verb = "re-admitted" if readmit else "discharged"
    text = f"{verb} {r['name']!r} (id {r['client_id']})" if r["changed"] else (
        f"{r['name']!r} (id {r['client_id']}) was {verb} already; nothing changed")  # fmt: skip
    _emit(args, r, text)


def cmd_erase_client(args: argparse.Namespace) -> None:
    engine = _engine(args)
    typed = None
    if not args.yes:
        name = admin.client_name_of(engine, args.client, args.program)
        if sys.stdin.isatty():
            typed = input(f"Erase {name!r} and all their data for good? Type their name: ")
        else:
            typed = sys.stdin.readline().rstrip("\r\n")
    r = admin.erase_client(engine, args.client, args.program, _now(), typed)
    gone = ", ".join(f"{n} {k}" for k, n in r["erased"].items() if n and k != "clients")
    _emit(args, r, f"erased client {r['client_id']} ({gone or 'no records'}); "
                   "the audit trail keeps that it happened")  # fmt: skip


def cmd_reset_password(args: argparse.Namespace) -> None:
    base = args.public_url or "http://127.0.0.1:8765"
    r = admin.reset_password(_engine(args), args.email, base, _now())
    _emit(args, r, f"a one-time link for {r['email']} to set a new password "
                   f"(valid until {r['expires_at']}):\n{r['url']}")  # fmt: skip


def cmd_purge(args: argparse.Namespace) -> None:
    from sync.server import retention
    from sync.server.storage.runner import transaction

    with transaction(_engine(args)) as tx:
        done = retention.purge(tx, _now(), dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    lines = [f"{r['program']!r}: {verb} {r['notices']} notice(s), {r['replies']} reply(ies) "
             f"and {r['audit_entries']} audit entr(ies)" for r in done]  # fmt: skip
    _emit(args, {"dry_run": args.dry_run, "programs": done}, "\n".join(lines) or "no programs")


def cmd_backup(args: argparse.Namespace) -> None:
    from sync.server import backups

    try:
        r = backups.backup(_engine(args), Path(args.path))
    except backups.BackupError as exc:
        raise UsageError(str(exc)) from None
    _emit(args, r, f"backed up the database to {r['path']} ({r['bytes']} bytes, mode 0600)")


def cmd_restore(args: argparse.Namespace) -> None:
    from sync.server import backups

    try:
        r = backups.restore(_engine(args, ready=False), Path(args.path), force=args.force)
    except backups.BackupError as exc:
        raise UsageError(str(exc)) from None
    _emit(args, r, f"restored {r['path']}; run `companion-server migrate` if the backup is "
                   "from an older version")  # fmt: skip


def cmd_export_client(args: argparse.Namespace) -> None:
    from sync.server import export_client
    from sync.server.storage.runner import transaction

    if not args.json:
        raise UsageError("export-client writes JSON only: give --json")
    with transaction(_engine(args)) as tx:
        r = export_client.export(tx, admin.pick_client(tx, args.client, args.program), _now())
    print(json.dumps(r, indent=1))


def cmd_serve(args: argparse.Namespace) -> None:
    from sync.server import serving

    if args.workers < 1 or not 0 < args.port < 65536:
        raise UsageError("--workers must be at least 1 and --port between 1 and 65535")
    if not 1 <= args.idle_minutes <= 10_000_000:
        raise UsageError("--idle-minutes must be between 1 and 10000000")
    try:
        trusted = ",".join(parse_trusted(getattr(args, "forwarded_allow_ips", None) or ""))
    except TrustError as exc:
        raise UsageError(str(exc)) from None
    try:
        tls = exposure.check_tls_files(args.tls_cert, args.tls_key)
        exposed = exposure.decide(
            args.host, tls=tls, trusted=trusted.split(",") if trusted else [],
            insecure_http=args.insecure_http, public_url=args.public_url or "",
        )  # fmt: skip
    except exposure.ExposureError as exc:
        raise UsageError(str(exc)) from None
    smtp_url = getattr(args, "smtp_url", None) or os.environ.get("COMPANION_SMTP_URL", "")
    mail_from = getattr(args, "mail_from", None) or os.environ.get("COMPANION_MAIL_FROM", "")
    if smtp_url:
        try:
            parse_smtp_url(smtp_url)
        except BadSmtpUrl as exc:
            raise UsageError(str(exc)) from None
    if bool(smtp_url) != bool(mail_from):
        raise UsageError("--smtp-url and --mail-from go together (alert emails need both)")
    engine = _engine(args)  # check the schema here, to fail with one line
    engine.dispose()
    settings = Settings(
        db_url=args.db or default_db_url(),
        public_url=args.public_url or "",
        forwarded_allow_ips=trusted,
        idle_minutes=args.idle_minutes,
        smtp_url=smtp_url,
        mail_from=mail_from,
    )
    try:
        limits = process.open_file_limits(settings.max_connections)
    except process.LimitTooLow as exc:
        raise UsageError(str(exc)) from None
    for warning in (limits.warning, _db_dir_warning(args), *exposed.warnings):
        if warning:
            print(f"{PROG}: {warning}", file=sys.stderr)
    url = f"{exposed.scheme}://{args.host}:{args.port}"
    _emit(
        args,
        {
            "url": url,
            "database": engine.url.render_as_string(hide_password=True),
            "workers": args.workers,
            "open_file_limit": limits.nofile,
            "connections_per_worker": limits.budget,
            "forwarded_allow_ips": trusted.split(",") if trusted else [],
        },
        f"serving {url} with {args.workers} worker(s), up to {limits.budget} connections each",
    )
    sys.stdout.flush()
    config = serving.config_for(
        settings, limits, host=args.host, port=args.port, workers=args.workers,
        log_config=_log_config(), tls_cert=args.tls_cert, tls_key=args.tls_key,
    )  # fmt: skip
    status = serving.run(config, settings)
    if status:
        raise SystemExit(status)


def cmd_check(args: argparse.Namespace) -> None:
    from sync.server import check

    deployment = check.Deployment(
        host=args.host, db_url=args.db or "", public_url=args.public_url or "",
        forwarded_allow_ips=args.forwarded_allow_ips, tls_cert=args.tls_cert,
        tls_key=args.tls_key, insecure_http=args.insecure_http,
    )  # fmt: skip
    found = check.run_checks(deployment)
    if args.json:
        print(json.dumps([f.as_json() for f in found]))
    else:
        print("\n".join(f.line() for f in found))
    if any(f.status == "fail" for f in found):
        raise SystemExit(1)


def _private_location(args: argparse.Namespace) -> None:
    """The server's own data dir (the default database, the demo's) is made 0700."""
    if not args.db or _in_data_dir(_sqlite_path(args)):
        process.private_dir(data_dir())


def _db_dir_warning(args: argparse.Namespace) -> str | None:
    """For a SQLite file elsewhere: a warning when its directory is open to others."""
    path = _sqlite_path(args)
    if path is None or _in_data_dir(path):
        return None
    return process.shared_dir_warning(path.parent)


def _in_data_dir(path: Path | None) -> bool:
    return path is not None and path.parent == data_dir().expanduser().resolve()


def _sqlite_path(args: argparse.Namespace) -> Path | None:
    """The SQLite file of ``--db`` (resolved), or None for the default or PostgreSQL."""
    url = make_url(args.db) if args.db else None
    if url is None or url.get_backend_name() != "sqlite" or not url.database:
        return None
    return Path(url.database).expanduser().resolve()


def _log_config() -> dict[str, Any]:
    """uvicorn's logging (to stderr: the server writes no log file), plus the server's own
    logger (ids only, never message text). The access log stays off: its lines would
    carry feed tokens from the URL."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["companion"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def _deployment_options(p: argparse.ArgumentParser) -> None:
    """How the server is exposed: ``serve``'s options, which ``check`` looks at too."""
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--public-url", help="base URL clients use, for feed links (https)")
    p.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        default="",
        help="comma-separated addresses or networks of reverse proxies whose "
        "X-Forwarded-For/-Proto are believed (default: none, not even 127.0.0.1)",
    )
    p.add_argument("--tls-cert", metavar="PATH", help="PEM certificate (chain): serve https")
    p.add_argument("--tls-key", metavar="PATH", help="the PEM private key of --tls-cert")
    p.add_argument(
        "--insecure-http",
        action="store_true",
        help="allow plain HTTP on a non-loopback --host without a trusted proxy (never for "
        "a real program)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="The Companion program server.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func: Any, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("--db", metavar="URL", help=DB_HELP)
        p.add_argument("--json", action="store_true", help="print the result as one JSON object")
        p.set_defaults(func=func)
        return p

    p = command("serve", cmd_serve, "run the HTTP API")
    _deployment_options(p)
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    p.add_argument("--idle-minutes", type=int, default=30, metavar="N",
                   help="end a coordinator's session unused for N minutes (default 30; "
                   "sessions also end 12 hours after sign-in)")  # fmt: skip
    p.add_argument(
        "--smtp-url",
        metavar="URL",
        help="smtp://user:pass@host:port (STARTTLS when "
        "offered) or smtps://...: alert emails to coordinators (or COMPANION_SMTP_URL)",
    )
    p.add_argument(
        "--mail-from",
        metavar="ADDRESS",
        help="From address of alert emails (or COMPANION_MAIL_FROM)",
    )
    p = command("check", cmd_check, "say what a deployment gets wrong, one line per finding "
                "(give it the options `serve` runs with); exit 1 on any fail")  # fmt: skip
    _deployment_options(p)
    command("migrate", cmd_migrate, "create or upgrade the database schema")
    p = command("create-program", cmd_create_program, "create a program")
    p.add_argument("name")
    p.add_argument("--timezone", required=True, help="IANA zone, e.g. America/New_York")
    p.add_argument("--threshold", type=float, default=0.8, help="weekly attendance share (0.8)")
    p.add_argument("--unexcused-limit", type=int, default=3, help="unexcused absences in 30 days")
    p.add_argument("--coordinator", default="", help="coordinator contact shown to clients")
    p.add_argument("--discreet", action="store_true", help=DISCREET_HELP)
    p = command("set-program", cmd_set_program, "change a program's settings")
    p.add_argument("--program", help="program name or id (optional when there is one)")
    p.add_argument(
        "--discreet",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=DISCREET_HELP + "; --no-discreet: session titles (a device's own choice stays)",
    )
    p = command(
        "create-coordinator",
        cmd_create_coordinator,
        "create a coordinator login (password prompted, or one line on stdin)",
    )
    p.add_argument("email")
    p.add_argument("--program", help="program name or id (optional when there is one)")
    p.add_argument(
        "--role",
        choices=admin.ROLES,
        help="admin: manages coordinators and program settings, reads the audit trail; "
        "coordinator: works with clients (default: admin for a program's first account)",
    )
    p = command("add-client", cmd_add_client, "add a client and print a one-time enrolment code")
    p.add_argument("name")
    p.add_argument("--program", help="program name or id (optional when there is one)")
    p = command(
        "crisis-contacts",
        cmd_crisis_contacts,
        "show or change the program's crisis contacts, listed first in every client's "
        "'Need help now?' panel (before 988 and the local emergency number)",
    )
    p.add_argument("--program", help="program name or id (optional when there is one)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--add", metavar="NAME", help="add a contact (with --phone, --sms, --url "
                      "and --note)")  # fmt: skip
    what.add_argument("--remove", type=int, metavar="N", help="remove contact N (as listed)")
    what.add_argument("--clear", action="store_true", help="remove every contact of the program")
    what.add_argument("--from-json", metavar="FILE", help="replace them all with a JSON list of "
                      "{name, phone, sms, url, note} ('-': standard input)")  # fmt: skip
    p.add_argument("--phone", metavar="NUMBER", help="with --add: a number to call")
    p.add_argument("--sms", metavar="NUMBER", help="with --add: a number to text")
    p.add_argument("--url", metavar="LINK", help="with --add: an https, http, tel: or sms: link")
    p.add_argument("--note", metavar="TEXT", help="with --add: hours, who it is for")
    p = command("revoke-client", cmd_revoke_client, "revoke a client's devices and feeds")
    p.add_argument("client_id", type=int)
    client_help = "the client's id, or their name when it is unique"
    p = command(
        "new-code",
        cmd_new_code,
        "a new one-time enrolment code for a client (their other devices keep working)",
    )
    p.add_argument("client", help=client_help)
    p.add_argument("--program", help="program name or id")
    lifecycle_commands = (
        ("discharge", "discharge a client: kept for the record, their devices and feeds stop"),
        ("readmit", "re-admit a discharged client"),
    )
    for name, text in lifecycle_commands:
        p = command(name, cmd_discharge, text)
        p.add_argument("client", help=client_help)
        p.add_argument("--program", help="program name or id")
    p = command("erase-client", cmd_erase_client,
                "erase a client's data for good (asks for their name typed back)")  # fmt: skip
    p.add_argument("client", help=client_help)
    p.add_argument("--program", help="program name or id")
    p.add_argument("--yes", action="store_true", help="do not ask (scripts)")
    p = command("reset-password", cmd_reset_password,
                "print a one-time link that sets a new password for a coordinator")  # fmt: skip
    p.add_argument("email")
    p.add_argument("--public-url", help="the dashboard's base URL, for the link "
                   "(default http://127.0.0.1:8765)")  # fmt: skip
    p = command("purge", cmd_purge, "delete notices (with their replies) and audit entries past "
                "each program's retention windows (the server does it daily)")  # fmt: skip
    p.add_argument("--dry-run", action="store_true", help="only count what would go")
    p = command("backup", cmd_backup, "copy the database to PATH (0600) while the server "
                "serves: SQLite's online backup, or pg_dump for PostgreSQL")  # fmt: skip
    p.add_argument("path", help="a new file for the backup")
    p = command("restore", cmd_restore, "put a backup back into the database")
    p.add_argument("path", help="a file made by `companion-server backup`")
    p.add_argument("--force", action="store_true",
                   help="replace a database that holds programs")  # fmt: skip
    p = command("export-client", cmd_export_client, "everything the server holds about one "
                "client, as JSON (for a records request; written to the audit trail)")  # fmt: skip
    p.add_argument("client", help=client_help)
    p.add_argument("--program", help="program name or id")
    demo.register(command)  # the dashboard's `demo` (sync/server/demo.py)
    return parser


def main(argv: list[str] | None = None) -> int:
    process.private_umask()  # the database, its WAL and anything else written: 0600/0700
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (UsageError, admin.AdminError, migrate.SchemaError, DatabaseUrlError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        cause = exc.orig if isinstance(exc, StatementError) else None  # the driver's own
        reason = str(cause or exc).splitlines()[0]
        print(f"{PROG}: error: database: {reason}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
