"""/api/docs: Swagger UI served from its Python package, so it works offline.

The page loads only same-origin files and no inline script, so it runs under the same
Content-Security-Policy as the UI and no third-party script ever runs on our origin.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS = "/api/docs"
ASSETS = f"{DOCS}/assets"
INIT = f"{DOCS}/init.js"

PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>drorch API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="icon" type="image/png" href="{ASSETS}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="{INIT}"></script>
</body>
</html>
"""


def _init_script(openapi_url: str) -> str:
    """The script that starts Swagger UI on the spec (a file: the CSP forbids inline ones)."""
    return (
        "window.ui = SwaggerUIBundle({\n"
        f"  url: {openapi_url!r},\n"
        "  dom_id: '#swagger-ui',\n"
        "  layout: 'BaseLayout',\n"
        "  deepLinking: true,\n"
        "  showExtensions: true,\n"
        "  presets: [SwaggerUIBundle.presets.apis],\n"
        # The API wants a JSON content type on every write, bodiless ones included.
        "  requestInterceptor: (req) => {\n"
        "    const names = Object.keys(req.headers).map((h) => h.toLowerCase());\n"
        "    if (req.method !== 'GET' && !names.includes('content-type')) {\n"
        "      req.headers['Content-Type'] = 'application/json';\n"
        "    }\n"
        "    return req;\n"
        "  },\n"
        "});\n"
    )


def install(app: FastAPI, openapi_url: str) -> None:
    """Add the docs page, its start-up script and the packaged Swagger UI files."""
    script = _init_script(openapi_url)

    @app.get(DOCS, include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get(INIT, include_in_schema=False)
    async def docs_init() -> Response:
        return Response(script, media_type="text/javascript")

    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
