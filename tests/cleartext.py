"""Looking for clear text in a profile: every file under a folder, read as bytes, in the
encodings a sentence could be stored in."""

from __future__ import annotations

from pathlib import Path

ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le")


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def found_in(folder: Path, *texts: str) -> list[str]:
    """Where any of ``texts`` occurs (each in every encoding): "file: text (encoding)"."""
    hits = []
    for path in files_under(folder):
        data = path.read_bytes()
        for text in texts:
            for encoding in ENCODINGS:
                if text.encode(encoding) in data:
                    hits.append(f"{path.relative_to(folder)}: {text!r} ({encoding})")
    return hits
