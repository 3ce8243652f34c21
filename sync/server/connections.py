"""Connection limits for ``serve``: a deadline for every request to arrive, and a budget
of open connections that stays under the process's open-file limit.

uvicorn bounds idle keep-alive (``timeout_keep_alive``) but cancels that timer on the
first byte a client sends, and has no deadline for a request: a connection that never
sends one, or trickles its head or body a byte at a time (slow loris), is kept forever.
Enough of them use up the open-file limit; from then on the event loop accepts each
fresh connection only to close it at once (libuv's answer to ``EMFILE``), so every new
client gets an empty reply.

:class:`GuardedHttpProtocol` is uvicorn's httptools protocol with two changes, both off
the per-request hot path (one timer per request, as uvicorn already arms):

- one timer per wait for a request: started when the connection opens
  (``request_timeout``) and when a response completes (``timeout_keep_alive``),
  cancelled only once the whole request (head and body) is in, not by the first byte;
  when it fires the connection closes.
- a :class:`ConnectionGuard` per process knows which connections are waiting for a
  request, oldest first; when a new connection takes the count over the budget, the one
  that has waited longest is closed (the new one itself when every other is busy with a
  request), so the process never runs out of file descriptors for fresh clients.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

log = logging.getLogger("companion.server")
WARN_EVERY_S = 60.0


class ConnectionGuard:
    """One process's connections that are waiting for a request, oldest first.

    ``budget`` is the most connections this process keeps open (``process.Limits``);
    ``request_timeout`` is how long a new connection may take to send its first whole
    request.
    """

    def __init__(self, budget: int, request_timeout: float) -> None:
        self.budget = budget
        self.request_timeout = request_timeout
        self.waiting: dict[GuardedHttpProtocol, None] = {}  # insertion order: oldest first
        # Closed to make room, not yet reported lost by the loop: their descriptors are
        # free already, but uvicorn still counts them among its connections.
        self.closing: set[GuardedHttpProtocol] = set()
        self.closed_for_room = 0
        self._warned_at = -WARN_EVERY_S

    def __getstate__(self) -> dict[str, Any]:  # pickled to each worker: no connections
        return {"budget": self.budget, "request_timeout": self.request_timeout}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["budget"], state["request_timeout"])  # type: ignore[misc]

    def admit(self, conn: GuardedHttpProtocol, counted: int) -> None:
        """A new connection (``counted``: uvicorn's count, this one included): make room
        when over the budget."""
        self.waiting[conn] = None
        open_now = counted - len(self.closing)
        while open_now > self.budget and self.waiting:
            oldest = next(iter(self.waiting))
            del self.waiting[oldest]
            self.closing.add(oldest)
            oldest.transport.close()
            open_now -= 1
            self.closed_for_room += 1
            self._warn(open_now)

    def lost(self, conn: GuardedHttpProtocol) -> None:
        """``conn`` is closed and gone."""
        self.waiting.pop(conn, None)
        self.closing.discard(conn)

    def busy(self, conn: GuardedHttpProtocol) -> None:
        """``conn`` has sent a whole request: no longer waiting."""
        self.waiting.pop(conn, None)

    def idle(self, conn: GuardedHttpProtocol) -> None:
        """``conn`` answered its request and waits for the next one (newest now)."""
        self.waiting.pop(conn, None)
        self.waiting[conn] = None

    def _warn(self, open_now: int) -> None:
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY_S:
            self._warned_at = now
            log.warning(
                "connection budget of %d reached (%d open): closing the connections that "
                "have waited longest for a request (%d so far); see sync/server/README.md, "
                "'Limits'",
                self.budget, open_now, self.closed_for_room,
            )  # fmt: skip


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a request deadline and the process's budget.

    Needs a config with a ``guard`` (:class:`sync.server.serving.ServeConfig`).
    """

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.guard: ConnectionGuard = config.guard  # type: ignore[attr-defined]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # uvicorn's keep-alive timer slot: connection_lost and shutdown cancel it.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.guard.request_timeout, self.timeout_keep_alive_handler
        )
        self.guard.admit(self, len(self.connections))

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.lost(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # uvicorn's, less the first line (cancelling the timer on the first byte).
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            msg = "Invalid HTTP request received."
            self.logger.warning(msg)
            self.send_400_response(msg)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()

    def on_message_complete(self) -> None:
        if self.cycle is not None and not self.cycle.response_complete:
            # The whole request is in. (When the app answered before the body was all
            # in, the keep-alive timer its answer armed stays: it bounds what follows.)
            self._unset_keepalive_if_required()
            self.guard.busy(self)
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.timeout_keep_alive_task is not None:  # armed: waiting for the next request
            self.guard.idle(self)
