"""`companion-server`: placeholder until the program server lands (issue 4)."""

from __future__ import annotations

import sys


def main() -> int:
    print("companion-server: the program server is not built yet (see issue 4).", file=sys.stderr)
    return 2
