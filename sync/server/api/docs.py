"""``/docs``: Swagger UI over ``/openapi.json``, served from the installed package.

FastAPI's own /docs (and /redoc) load their JavaScript and CSS from a public CDN, on the
dashboard's origin: whoever serves that script could read a coordinator's session. Here
the files come from ``swagger-ui-bundle-v2`` (Swagger UI's release files in a wheel, the
same ones the CDN serves), the page starts Swagger UI from a script of its own (the
dashboard's Content-Security-Policy forbids inline scripts), and that policy, ``'self'``
only, covers the page. Nothing is fetched from anywhere else, at run time or build time.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.responses import FileResponse, HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

from sync.server.web.render import SECURITY_HEADERS

router = APIRouter(include_in_schema=False)
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
ASSET_HEADERS = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Companion program server: API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<noscript>Swagger UI needs JavaScript; the API description itself is at
<a href="/openapi.json">/openapi.json</a>.</noscript>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/start.js"></script>
</body>
</html>
"""

START = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
"""


@router.get("/docs")
async def docs() -> HTMLResponse:
    """The API, browsable."""
    return HTMLResponse(PAGE, headers=SECURITY_HEADERS)


@router.get("/docs/assets/{name}")
async def asset(name: str) -> Response:
    """Swagger UI's files from the package, and the script that starts it."""
    if name == "start.js":
        return Response(START, media_type="text/javascript", headers=ASSET_HEADERS)
    if name not in ASSETS:
        raise HTTPException(404, "not found")
    return FileResponse(swagger_ui_path / name, media_type=ASSETS[name], headers=ASSET_HEADERS)
