"""Hot-path routes: documented like any FastAPI route, served at Starlette speed.

FastAPI's per-request work (dependency solving, body parsing, response validation) cost
about 0.11 ms a request on the prototype against Starlette's 0.05. The three paths that
clients hit constantly (POST /v1/notices, GET /v1/changes, GET /v1/feeds/...) use
:class:`RawRoute`: the endpoint takes the ``Request`` and returns a ``Response`` itself,
parsing with the protocol models directly. Their request bodies, parameters and
responses are declared in ``openapi_extra``/``responses`` so /openapi.json stays whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from sync.protocol import ErrorBody
from sync.wire import describe_all

JSON = "application/json"
UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}  # with every 401


class RawRoute(APIRoute):
    """An APIRoute whose endpoint is called with the bare Request (FastAPI's documented
    extension point, ``get_route_handler``)."""

    def get_route_handler(self) -> Callable[..., Any]:
        return self.endpoint


def error(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """The API's error body, ``{"detail": "..."}``."""
    return Response(json.dumps({"detail": detail}), status, headers, media_type=JSON)


def json_bytes(status: int, body: bytes | str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status, headers, media_type=JSON)


def validation_detail(exc: ValidationError | Any) -> str:
    """One line naming each bad field: ``barrier: Input should be 'technical', ...``, in
    the protocol's own words for its patterns (``title: must be one line ...``)."""
    return describe_all(exc.errors(), limit=5)


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error statuses, all with :class:`ErrorBody`."""
    text = {400: "Bad request", 401: "Missing or bad token", 403: "Needs an admin account",
            404: "Not found",
            409: "Conflict", 413: "Body too large", 422: "Invalid input",
            429: "Too many attempts"}  # fmt: skip
    out: dict[int | str, dict[str, Any]] = {
        c: {"model": ErrorBody, "description": text[c]} for c in codes
    }
    if 413 in out:  # Starlette's body limit answers in plain text when Content-Length is over
        plain = {"text/plain": {"schema": {"type": "string"}}}
        out[413] = {"model": ErrorBody, "description": text[413], "content": plain}
    return out


def body_of(model: type[BaseModel]) -> dict[str, Any]:
    """An OpenAPI requestBody for ``model`` (its schema is added by ``openapi.py``)."""
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"required": True, "content": {JSON: {"schema": ref}}}


DEVICE_AUTH: list[dict[str, list[str]]] = [{"DeviceToken": []}]
