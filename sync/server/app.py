"""``create_app(settings)``: the program server as an ASGI app.

No module-level engine or settings: each call builds its own app, so every test (and
every worker process) gets its own database threads. The database is opened and its
schema checked at start-up (lifespan); a server never runs against a schema it does not
know. ``app_from_env`` is the factory uvicorn's worker processes call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from sync.protocol import PROTOCOL_VERSION, NoticeIn
from sync.server import retention
from sync.server.accounts import OnInvite
from sync.server.api import (
    changes,
    coordinator_accounts,
    coordinator_audit,
    coordinator_auth,
    coordinator_clients,
    coordinator_materials,
    coordinator_notices,
    coordinator_program,
    coordinator_series,
    device,
    docs,
    enroll,
    feeds,
    health,
    makeups,
    notices,
    preferences,
)
from sync.server.api.headers import SecurityHeaders
from sync.server.api.hot import HotPaths
from sync.server.api.raw import error, validation_detail
from sync.server.mail import invite_mailer, mail_configured, run_mail
from sync.server.process import follow_supervisor
from sync.server.proxies import parse_trusted
from sync.server.schedules import Schedules
from sync.server.settings import Settings
from sync.server.storage.engine import make_engine
from sync.server.storage.migrate import check
from sync.server.storage.runner import Database
from sync.server.web import forms
from sync.server.web import router as dashboard
from sync.server.web.errors import PageError, page_error

log = logging.getLogger("companion.server")
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def create_app(settings: Settings, *, clock: Clock = _utcnow,
               on_invite: OnInvite | None = None) -> HotPaths:  # fmt: skip
    """The API v1 app for ``settings``; ``clock`` is injectable for tests; ``on_invite``
    (email, link) is called for each invitation (``accounts.invite``: the mail queue).

    The FastAPI app (``.api``) serves every route and /openapi.json; :class:`HotPaths`
    in front of it answers the three hot paths without FastAPI's middleware stack.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        check(engine)  # raises SchemaError: never serve an unknown schema
        db = Database(engine)
        db.start()
        app.state.db = db
        log.info("serving on %s", engine.url.render_as_string(hide_password=True))
        purging = asyncio.create_task(_daily_purge(db, clock, settings.purge_check_s))
        mailing = asyncio.create_task(run_mail(db, settings, clock)) if mail_configured(
            settings) else None  # fmt: skip
        try:
            yield
        finally:
            for task in (purging, mailing):
                if task is not None:
                    task.cancel()
            await asyncio.gather(*(t for t in (purging, mailing) if t), return_exceptions=True)
            db.stop()

    app = FastAPI(
        title="Companion program server",
        version=f"{PROTOCOL_VERSION}.0",
        description="Enrolment, absence notices, the changes feed, calendar feeds and the "
        "coordinator API of a virtual IOP.",
        lifespan=lifespan,
        max_body_size=settings.max_body,
        docs_url=None, redoc_url=None,  # FastAPI's load from a CDN: ours are in api/docs.py
    )  # fmt: skip
    app.state.settings = settings
    app.state.clock = clock
    app.state.on_invite = on_invite if on_invite is not None else invite_mailer(settings)
    app.state.schedules = Schedules()  # the programs' schedules the notices are judged by
    for module in (enroll, notices, makeups, changes, feeds, preferences, device, health,
                   coordinator_auth, coordinator_notices, coordinator_series,
                   coordinator_program, coordinator_accounts, coordinator_audit,
                   coordinator_clients, coordinator_materials):  # fmt: skip
        for name in ("raw_router", "router"):
            if hasattr(module, name):
                app.include_router(getattr(module, name))
    app.include_router(docs.router)  # /docs: Swagger UI from the package
    app.include_router(dashboard)  # the coordinator dashboard (web/), under /
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(PageError, page_error)
    app.add_exception_handler(forms.StaleForm, forms.stale_form)
    app.add_exception_handler(forms.SignedOutPost, forms.signed_out_post)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return HotPaths(app, settings.max_body, parse_trusted(settings.forwarded_allow_ips))


async def _daily_purge(db: Database, clock: Clock, every_s: int) -> None:
    """Run today's retention purge unless another process did (checked every ``every_s``)."""
    while True:
        try:
            done = await db.write(retention.daily, clock())
        except Exception as exc:  # the database was busy or away: the next check
            log.warning("retention purge failed: %s", type(exc).__name__)
        else:
            if done is not None:
                gone = sum(r["notices"] + r["audit_entries"] for r in done)
                log.info("retention purge: %d notice(s) and audit entries deleted", gone)
        await asyncio.sleep(every_s)


async def _invalid(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error(422, validation_detail(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    """FastAPI answers a body it cannot decode with 400; the API promises 422 for bad JSON."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        return error(422, "body: not valid JSON")
    return await http_exception_handler(request, exc)


async def _unstorable(_request: Request, exc: Exception) -> Response:
    """A value the database refuses (e.g. a NUL in a query parameter on PostgreSQL) is the
    caller's mistake: 422, never a 500. Only the error class is logged, never the value."""
    assert isinstance(exc, DataError)
    log.info("refused a value the database cannot store (%s)", type(exc.orig).__name__)
    return error(422, "a value cannot be stored (control characters?)")


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus what the raw hot-path routes declare by reference."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)  # fmt: skip
    _, defs = models_json_schema([(NoticeIn, "validation")],
                                 ref_template="#/components/schemas/{model}")  # fmt: skip
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).update(defs.get("$defs", {}))
    components.setdefault("securitySchemes", {})["DeviceToken"] = {
        "type": "http", "scheme": "bearer", "description": "the device token from POST /v1/enroll"
    }  # fmt: skip
    # SeriesWire.start_local (wall-clock time, no offset) publishes its own exact pattern
    # (sync.wire.LocalDatetime), as every bounded field does.
    app.openapi_schema = schema
    return schema


def app_from_env() -> HotPaths:
    """The factory ``serve`` gives uvicorn (settings from the environment); in a worker of
    ``serve --workers N`` it first ties the worker's life to the supervisor's."""
    follow_supervisor()
    return create_app(Settings.from_env())
