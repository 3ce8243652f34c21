"""``serve``: the server on uvicorn, with the connection limits of ``connections.py``.

What ``uvicorn.run`` does, with our protocol and a config that carries the process's
:class:`~sync.server.connections.ConnectionGuard`: one process serves the app itself;
``workers > 1`` binds the socket here and hands it to uvicorn's supervisor, whose worker
processes build the app from the environment (``app.app_from_env``) and follow this
process (``process.follow_supervisor``).
"""

from __future__ import annotations

import os
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from sync.server.connections import ConnectionGuard, GuardedHttpProtocol
from sync.server.process import SUPERVISOR_ENV, Limits, mark_supervisor
from sync.server.settings import Settings


class ServeConfig(uvicorn.Config):
    """uvicorn's config plus the guard each server process applies to its connections
    (pickled to every worker with the config, empty)."""

    def __init__(self, app: Any, *, guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.guard = guard


def config_for(
    settings: Settings, limits: Limits, *, host: str, port: int, workers: int,
    log_config: dict[str, Any], tls_cert: str | None = None, tls_key: str | None = None,
) -> ServeConfig:  # fmt: skip
    """The uvicorn config ``serve`` runs (the app is built later, in the process that
    serves it); with ``tls_cert`` and ``tls_key`` it serves https itself."""
    return ServeConfig(
        "sync.server.app:app_from_env",
        factory=True,
        guard=ConnectionGuard(limits.budget, settings.request_timeout_s),
        host=host,
        port=port,
        workers=workers,
        http=GuardedHttpProtocol,
        backlog=limits.backlog,
        timeout_keep_alive=settings.keep_alive_s,
        timeout_graceful_shutdown=5,
        access_log=False,  # its lines would carry feed tokens from the URL
        # The app decides whose forwarded headers to believe (proxies.py); uvicorn's own
        # middleware would trust 127.0.0.1 (or $FORWARDED_ALLOW_IPS) before it.
        proxy_headers=False,
        log_config=log_config,
        ssl_certfile=tls_cert,
        ssl_keyfile=tls_key,
    )


def run(config: ServeConfig, settings: Settings) -> int:
    """Serve until stopped; the exit status (uvicorn's 3 when start-up failed)."""
    os.environ.update(settings.to_env())  # what app_from_env reads, here or in a worker
    server = uvicorn.Server(config)
    try:
        if config.workers > 1:
            mark_supervisor()
            Multiprocess(config, sockets=[config.bind_socket()]).run()
            return 0
        os.environ.pop(SUPERVISOR_ENV, None)  # this process serves: it follows no one
        server.run()
    except KeyboardInterrupt:
        return 130
    return 0 if server.started else STARTUP_FAILURE
