"""`companion export` and `companion erase`: your data is yours, to take or to remove.

``erase`` works on a profile that cannot be opened (a damaged database or settings file):
it is registered to receive the profile's paths, not an open profile.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from companion.errors import UserError

if TYPE_CHECKING:
    from companion.actions.erase import ErasePlan
    from companion.actions.profile import Profile
    from companion.paths import Paths

PRIVATE_NOTE = (
    "companion: this export holds your private journal; keep it where only you can read it "
    "(-o FILE writes a file only you can read)"
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write your whole profile as JSON or a readable Markdown journal",
        description="Your program, schedule, attendance, journal, catch-up checklists, the "
        "notices you sent and your coordinator's replies, as documented JSON (docs/export.md) "
        "or a readable Markdown journal. Standard output by default; -o writes a file only "
        "you can read (0600). A protected journal asks for its passphrase at a terminal (or "
        "reads COMPANION_PASSPHRASE_FILE); without it its text is exported as locked. "
        "Nothing is sent anywhere.",
    )
    p.add_argument("--format", choices=("json", "markdown"), default="json",
                   help="json (default) or markdown")  # fmt: skip
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write to FILE (0600, replaced whole) instead of standard output "
                   "('-' is standard output)")  # fmt: skip
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "erase",
        help="remove this profile: database, settings and token (after leaving the program)",
        description="Remove everything Companion keeps on this device: the database, your "
        "settings and the device token. When enrolled, this device is first removed from your "
        "program's server (its calendar feed stops). Asks you to type `erase`.",
    )
    p.add_argument("--yes", action="store_true",
                   help="do not ask (for scripts); still refuses when the server cannot be "
                   "reached, unless --offline")  # fmt: skip
    p.add_argument("--offline", action="store_true",
                   help="do not contact the server: the device stays listed at your program "
                   "until your coordinator revokes it")  # fmt: skip
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help=argparse.SUPPRESS)  # fmt: skip
    p.set_defaults(func=cmd_erase, paths_only=True)


def cmd_export(profile: Profile, args: argparse.Namespace) -> int:
    import json

    from companion.actions.files import write_private_file
    from companion.actions.journal import is_protected
    from companion.commands.passphrase import ENV, journal_key

    key = journal_key(profile, need=False)  # a protected journal: asked, or left locked
    if args.format == "markdown":
        from companion.actions.export_md import markdown

        text = markdown(profile, key)
    else:
        from companion.actions.export import export_data

        text = json.dumps(export_data(profile, key), indent=2, ensure_ascii=False) + "\n"
    if key is None and is_protected(profile):
        print(f"companion: the journal's text is locked in this export: give its passphrase "
              f"at a terminal or in {ENV} to include it", file=sys.stderr)  # fmt: skip
    if args.output in (None, "-"):
        print(PRIVATE_NOTE, file=sys.stderr)
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    path = Path(args.output).expanduser()
    write_private_file(path, text.encode("utf-8"))
    print(f"Wrote {path} (only you can read it).", file=sys.stderr)
    return 0


def _typed(prompt: str) -> bool:
    """Whether the person typed the confirmation word at the terminal."""
    from companion.actions.erase import CONFIRM_WORD

    try:
        answer = input(prompt)
    except EOFError:
        answer = ""
    return answer.strip().lower() == CONFIRM_WORD


def cmd_erase(paths: Paths, args: argparse.Namespace) -> int:
    from companion.actions.erase import describe, erase_files, plan_erase

    plan = plan_erase(paths)
    if not plan.files:
        print(f"Nothing to erase: no Companion profile in {paths.data_dir} or {paths.config_dir}.")
        return 0
    ask = not args.yes
    if ask and not sys.stdin.isatty():
        raise UserError("erase asks you to type `erase` at a terminal; in a script, pass --yes")
    print("\n".join(describe(plan)), file=sys.stderr)
    if ask and not _typed("Type `erase` to remove it all: "):
        print("Nothing was erased.")
        return 1
    if plan.enrolled and not args.offline:
        problem = _leave_program(plan, args.timeout)
        if problem:
            where = plan.server_url or "your program"
            stays = (f"this device stays listed at {where} until your coordinator revokes "
                     "it")  # fmt: skip
            if not ask:
                print(f"companion: {problem}. Nothing was erased: run it again when online, "
                      f"or with --offline to erase anyway ({stays}).", file=sys.stderr)  # fmt: skip
                return 1
            print(f"{problem}. If you erase anyway, {stays}.", file=sys.stderr)
            if not _typed("Type `erase` to erase this device's data anyway: "):
                print("Nothing was erased.")
                return 1
    done = erase_files(plan)
    print(f"Erased: {len(done.removed)} file(s) removed from this device.")
    if done.left:
        print("Left in place (not Companion's): " + ", ".join(str(p) for p in done.left))
    return 0


def _leave_program(plan: ErasePlan, timeout: float) -> str:
    """Remove this device from the program's server; '' when done, else why not."""
    from sync.client import remove_device
    from sync.transport import Permanent, SyncError

    if plan.credentials_problem:
        return (f"{plan.paths.credentials_file} cannot be read ({plan.credentials_problem}), "
                "so this device cannot be removed from your program")  # fmt: skip
    try:
        removed = remove_device(plan.server_url, plan.token, timeout=timeout, ca_file=plan.ca_file)
    except Permanent as exc:
        return f"{plan.server_url} did not remove this device ({exc})"
    except SyncError as exc:
        return f"could not remove this device from your program: {exc}"
    if removed:
        print(f"Removed this device from {plan.server_url}.", file=sys.stderr)
    else:
        print(f"{plan.server_url} had already removed this device.", file=sys.stderr)
    return ""
