"""The export as a readable Markdown journal (`companion export --format markdown`).

Made from the same object as the JSON export (:func:`companion.actions.export.export_data`),
so both always hold the same things; times are shown in the profile's timezone. Text you
or your coordinator wrote is quoted (``>``) with Markdown's special characters escaped,
so it reads as written and can never turn into headings, links or HTML.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from companion.actions.export import export_data
from companion.actions.profile import Profile
from companion.domain.journal import Barrier

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
MOODS = {1: "very low", 2: "low", 3: "okay", 4: "good", 5: "very good"}


def _escaped(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def inline(text: str) -> str:
    """One line of someone's text, escaped."""
    return _escaped(" ".join(text.split()))


def quoted(text: str) -> list[str]:
    """Someone's text as a Markdown quote, line by line."""
    return [("> " + _escaped(line)).rstrip() for line in text.strip().splitlines()]


def _when(value: str | None, tz: ZoneInfo, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    return datetime.fromisoformat(value).astimezone(tz).strftime(fmt) if value else ""


def _label(barrier: str) -> str:
    try:
        return Barrier(barrier).label
    except ValueError:
        return barrier


LOCKED = "🔒 Text locked: export again with the journal's passphrase to include it."


def markdown(profile: Profile, key: bytes | None = None) -> str:
    """The profile as a Markdown document; ``key`` opens a protected journal's text."""
    data = export_data(profile, key)
    tz = profile.tz()
    lines = ["# Companion: your journal and records", ""]
    lines += [f"Exported {_when(data['exported_at'], tz)} ({tz.key}) by Companion "
              f"{data['app_version']}. Private: it holds your journal.", ""]  # fmt: skip
    program = data["program"]
    if program:
        lines += [f"Program: {inline(program['name'])} · attend "
                  f"{round(program['threshold'] * 100)}% of each week's sessions · at most "
                  f"{program['unexcused_limit']} unexcused absences in 30 days.", ""]  # fmt: skip
    lines += _journal(data, tz)
    lines += _schedule(data, tz)
    lines += _attendance(data, tz)
    lines += _checklists(data, tz)
    lines += _notices(data, tz)
    lines += ["## Need help now?", "", *(f"- {inline(line)}" for line in data["help_now"]), ""]
    return "\n".join(lines).rstrip() + "\n"


def _journal(data: dict[str, Any], tz: ZoneInfo) -> list[str]:
    out = ["## Journal", ""]
    if not data["reflections"]:
        out += ["No reflections yet.", ""]
    for r in data["reflections"]:
        out += [f"### {_when(r['when'], tz)}", ""]
        if r["session_start"]:
            title = inline(r["session_title"] or "a session")
            out.append(f"About: {title} on {_when(r['session_start'], tz, '%a %d %b %Y')}  ")
        if r["barriers"]:
            out.append("In the way: " + ", ".join(_label(b) for b in r["barriers"]) + "  ")
        if r["mood"] is not None:
            out.append(f"Mood: {r['mood']} of 5 ({MOODS.get(r['mood'], '')})  ")
        out += ["Shared with your coordinator" if r["shared"] else "Private", ""]
        if r["locked"]:
            out += [LOCKED, ""]
            continue
        for field, head in (("what_happened", "What happened"), ("plan", "Plan for next time")):
            if r[field]:
                out += [f"**{head}**", "", *quoted(r[field]), ""]
    return out


def _schedule(data: dict[str, Any], tz: ZoneInfo) -> list[str]:
    out = ["## Schedule", ""]
    for s in data["series"]:
        start = datetime.fromisoformat(s["start"])
        line = (f"- **{inline(s['title'])}** ({s['kind']}): {s['repeat']}, "
                f"{start:%H:%M} for {s['duration_min']} min, from {start:%a %d %b %Y} "
                f"({s['tzid']})")  # fmt: skip
        if s["join_url"]:
            line += f" · join: {inline(s['join_url'])}"
        out.append(line)
    if not data["series"]:
        out.append("No sessions.")
    for n in data["day_notes"]:
        out.append(f"- Day note: {inline(n['title'])} on {n['first_day']}")
    return [*out, ""]


def _attendance(data: dict[str, Any], tz: ZoneInfo) -> list[str]:
    out = ["## Attendance", ""]
    for a in data["attendance"]:
        who = "the program" if a["source"] == "program" else "you"
        out.append(f"- {_when(a['original_start'], tz)} · {inline(a['title'] or a['series'])} · "
                   f"{a['status'].replace('_', ' ')} (recorded by {who})")  # fmt: skip
    if not data["attendance"]:
        out.append("Nothing recorded.")
    return [*out, ""]


def _checklists(data: dict[str, Any], tz: ZoneInfo) -> list[str]:
    out = ["## Catch-up checklists", ""]
    if not data["checklists"]:
        out += ["None.", ""]
    for c in data["checklists"]:
        out += [f"### {_when(c['start'], tz, '%a %d %b %Y')} · {inline(c['title'])} "
                f"({c['done']} of {c['total']})", ""]  # fmt: skip
        for item in c["items"]:
            link = f" → {inline(item['link'])}" if item["link"] else ""
            out.append(f"- [{'x' if item['done'] else ' '}] {inline(item['text'])}{link}")
        out.append("")
    return out


def _notices(data: dict[str, Any], tz: ZoneInfo) -> list[str]:
    out = ["## Notices to your coordinator", ""]
    if not data["notices"]:
        out += ["None sent.", ""]
    for n in data["notices"]:
        out.append(f"- {_when(n['start'], tz)} · {inline(n['title'])} · {_label(n['barrier'])} · "
                   f"{n['timing']} notice · {n['state']}" + (" · asked for a make-up"
                                                             if n["makeup"] else ""))  # fmt: skip
        if n["message"]:
            out += ["", *(f"  {q}" for q in quoted(n["message"])), ""]
    out += ["", "## Replies from your coordinator", ""]
    if not data["replies"]:
        out += ["None.", ""]
    for r in data["replies"]:
        about = f" about {inline(r['session'])}" if r["session"] else ""
        out.append(f"- {_when(r['at'], tz)}{about}: {r['status']}")
        if r["text"]:
            out += ["", *(f"  {q}" for q in quoted(r["text"])), ""]
        for m in r["materials"]:
            out.append(f"  - {inline(m['title'])}: {inline(m['url'])}")
        if r["makeup"]:
            m = r["makeup"]
            taken = "added to your schedule" if m["accepted"] else "not taken"
            out.append(f"  - make-up offered: {inline(m['title'])}, {_when(m['start'], tz)} "
                       f"({taken})")  # fmt: skip
    for m in data["materials"]:
        out.append(f"- Material: {inline(m['title'])} ({m['kind']}): {inline(m['url'])}")
    return [*out, ""]
