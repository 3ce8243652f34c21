"""Which links the app may hand to a browser: ``https://`` and ``http://`` only.

A join link or a material link comes from a coordinator, an imported calendar or the
client; anything else (``javascript:``, ``data:``, ``file:``, a shell command) is refused
wherever a link is stored, opened or copied. The wire models publish the same pattern.
"""

from __future__ import annotations

import re

_HOST = r"[^\x00-\x20\x7f-\x9f/?#@\\]+"  # a host (and port), no userinfo: not https://bank@evil
_REST = r"([/?#][^\x00-\x20\x7f-\x9f]*)?"  # path, query, fragment: no blanks or controls
WEB_LINK = rf"^https?://{_HOST}{_REST}$"
MAX_LINK = 2000
_WEB_LINK_RE = re.compile(WEB_LINK)
REFUSED = "only https:// and http:// links are allowed"


def is_web_link(url: str) -> bool:
    """Whether ``url`` is an https/http link with a host and nothing a browser would run."""
    return len(url) <= MAX_LINK and _WEB_LINK_RE.match(url) is not None
