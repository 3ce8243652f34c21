"""Dashboard pages for refusals raised from dependencies (a coordinator on an admin
page, an expired form): rendered as the dashboard's own error page, never the API's
JSON body."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from sync.server.web.render import page

if TYPE_CHECKING:
    from sync.server.web.deps import Coordinator


class PageError(Exception):
    """Stop the route and answer ``status`` with the error page saying ``message``."""

    def __init__(self, status: int, who: Coordinator | None, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.who, self.title, self.message = status, who, title, message


async def page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return page(request, "error.html", exc.who, status=exc.status, page_title=exc.title,
                message=exc.message)  # fmt: skip
