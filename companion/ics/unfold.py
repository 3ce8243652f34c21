"""Content lines from a file's bytes: unfolded by octets first, then decoded.

RFC 5545 §3.1 folds a line after 75 *octets*, so a fold may fall inside a multi-byte
UTF-8 character (Apple, Outlook and Google all do it). Decoding each physical line, or
the file before unfolding, rejects such a file; joining the bytes first reads it as ical.js,
khal and recurring-ical-events do. Each content line keeps the number of its first
physical line, for error messages that say where.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property

from icalendar import Component

BOM = b"\xef\xbb\xbf"
FOLD = re.compile(rb"\r?\n[ \t]")


class DecodeError(ValueError):
    """Bytes that are not UTF-8 text; ``offset`` is where, in the file as given."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"not UTF-8 text (byte {offset}): is this an .ics file?")
        self.offset = offset


def unfolded_text(data: bytes | str) -> str:
    """The whole file unfolded by octets, then decoded (the fast path: one regex, one
    decode; line numbers are worked out only when a message needs them)."""
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    start = len(BOM) if raw.startswith(BOM) else 0
    joined = FOLD.sub(b"", raw[start:])
    try:
        return joined.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(start + _before_folds(raw[start:], exc.start)) from exc


def _before_folds(raw: bytes, index: int) -> int:
    """Where byte ``index`` of the unfolded ``raw`` was in ``raw``."""
    removed = 0
    for fold in FOLD.finditer(raw):
        if fold.start() - removed > index:
            break
        removed += fold.end() - fold.start()
    return index + removed


def unfold(data: bytes | str) -> list[tuple[int, str]]:
    """(first physical line number, text) of each non-empty content line."""
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    offset = len(BOM) if raw.startswith(BOM) else 0
    raw = raw[offset:]
    logical: list[tuple[int, list[tuple[int, bytes]]]] = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        start, offset = offset, offset + len(line) + 1
        body = line[:-1] if line.endswith(b"\r") else line
        if body[:1] in (b" ", b"\t") and logical:
            logical[-1][1].append((start + 1, body[1:]))
        elif body:
            logical.append((number, [(start, body)]))
    out = []
    for number, parts in logical:
        joined = parts[0][1] if len(parts) == 1 else b"".join(p for _, p in parts)
        try:
            out.append((number, joined.decode("utf-8")))
        except UnicodeDecodeError as exc:
            raise DecodeError(_offset(parts, exc.start)) from exc
    return out


def _offset(parts: list[tuple[int, bytes]], index: int) -> int:
    """Where byte ``index`` of the joined ``parts`` was in the file."""
    for start, part in parts:
        if index < len(part):
            return start + index
        index -= len(part)
    return parts[-1][0] + len(parts[-1][1])


class Lines:
    """Line numbers for error messages: "line N: event 'uid': ", worked out from the file's
    bytes when a message first needs them."""

    def __init__(self, data: bytes | str, uid_of: Callable[[Component], str]):
        self.data = data
        self.uid_of = uid_of

    @cached_property
    def numbered(self) -> list[tuple[int, str]]:
        return unfold(self.data)

    @cached_property
    def blocks(self) -> dict[str, int]:
        """UID -> index of its first component's BEGIN line."""
        found: dict[str, int] = {}
        begin = 0
        for i, (_n, line) in enumerate(self.numbered):
            upper = line[:6].upper()
            if upper.startswith("BEGIN:"):
                begin = i
            elif upper.startswith("UID:") or upper.startswith("UID;"):
                found.setdefault(line.partition(":")[2].strip(), begin)
        return found

    def find_error(self, message: str) -> str:
        quoted = re.search(r"'(.*?)'", message)
        if quoted:
            for n, line in self.numbered:
                if line.strip() == quoted.group(1).strip():
                    return f"line {n}: "
        return ""

    def where(self, component: Component, name: str | None = None, message: str = "") -> str:
        """ "line N: event 'uid': " for a component, at property ``name`` when given."""
        uid = self.uid_of(component)
        label = f"event {uid!r}: " if uid else ""
        found = self.find_error(message) if message else ""
        if not found and uid in self.blocks:
            index = self.blocks[uid]
            found = f"line {self.numbered[index][0]}: "
            for n, line in self.numbered[index + 1 :]:
                upper = line.upper()
                if upper.startswith("END:"):
                    break
                if name and upper.startswith((f"{name.upper()}:", f"{name.upper()};")):
                    found = f"line {n}: "
                    break
        return found + label
