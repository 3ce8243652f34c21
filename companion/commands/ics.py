"""`companion export-ics`, `import-ics`, `remind`.

The calendar layer (icalendar) is imported inside each command: `remind` runs every few
minutes from cron and must not pay for it at start-up."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from companion.commands.parse import look_ahead, print_json
from companion.errors import UserError

if TYPE_CHECKING:
    from companion.actions.profile import Profile

NOTIFY_TIMEOUT_S = 5


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export-ics",
        help="write your schedule as an .ics calendar file",
        description="Write every series as iCalendar (RFC 5545) with reminders, for Google, "
        "Apple, Outlook, Thunderbird or khal. Sessions you gave notice for show as excused.",
    )
    p.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help="write to FILE (private, 0600) instead of standard output")  # fmt: skip
    p.add_argument("--discreet", action="store_true",
                   help="neutral titles ('Appointment'), no session kind, program name or "
                   "day notes, excused sessions shown as cancelled (also on when the saved "
                   "preference is); join links stay")  # fmt: skip
    p.add_argument("--no-links", action="store_true",
                   help="leave join links and meeting passcodes out")  # fmt: skip
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "import-ics",
        help="add or update sessions from a program's .ics file",
        description="Create or update series from an iCalendar file, keyed by UID. "
        "All-day events become day notes (never sessions); a cancellation calls off the "
        "sessions to come. Importing the same file again changes nothing; attendance "
        "already recorded stays. A bad file changes nothing and exits with status 2.",
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--json", action="store_true",
                   help="print {added, updated, unchanged, cancelled, skipped}")  # fmt: skip
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "remind",
        help="show reminders that are due (for cron or a systemd timer)",
        description="Print every reminder due now, and show it with notify-send where that "
        "exists. Each reminder fires once. Calendar apps may drop alarms; run this every few "
        "minutes so reminders do not depend on them.",
    )
    p.add_argument("--within", type=look_ahead, default=timedelta(0),
                   metavar="DURATION",
                   help="also those due in the next DURATION, e.g. 5m (default 0m, at "
                   "most 14d)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.add_argument("--no-notify", action="store_true", help="print only; no desktop notification")
    p.set_defaults(func=cmd_remind)


def cmd_export(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.ics import export_profile

    data = export_profile(profile, discreet=True if args.discreet else None,
                          no_links=args.no_links)  # fmt: skip
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    try:
        fd = os.open(args.output, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise UserError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    print(f"Wrote {args.output} ({data.count(b'BEGIN:VEVENT')} events).", file=sys.stderr)
    return 0


def cmd_import(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.ics import import_file

    summary = import_file(profile, args.file)
    if args.json:
        print_json(summary.as_json())
        return 0
    for label, titles in (("added", summary.added), ("updated", summary.updated),
                          ("unchanged", summary.unchanged)):  # fmt: skip
        print(f"{len(titles)} {label}" + (f": {', '.join(titles)}" if titles else ""))
    if summary.cancelled:
        print(f"{len(summary.cancelled)} cancelled: {', '.join(summary.cancelled)}")
    print(f"{len(summary.skipped)} skipped")
    for s in summary.skipped:
        print(f"  {s.title or s.uid}: {s.reason}")
    return 0


def cmd_remind(profile: Profile, args: argparse.Namespace) -> int:
    from companion.actions.reminders import due_reminders

    found = due_reminders(profile, args.within)
    if args.json:
        print_json([r.as_json() for r in found])
    else:
        for r in found:
            print(r.message)
    if not args.no_notify:
        for r in found:
            notify(r.title, r.message)
    return 0


def notify(title: str, body: str) -> bool:
    """A desktop notification through notify-send; False when there is none or it fails."""
    import shutil
    import subprocess

    exe = shutil.which("notify-send")
    if exe is None:
        return False
    try:
        done = subprocess.run([exe, "--app-name=Companion", title, body], timeout=NOTIFY_TIMEOUT_S,
                              capture_output=True, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
