"""Offline API docs: ``/docs`` serves Swagger UI from the assets shipped in the
``swagger-ui-bundle-v2`` package (Apache-2.0), never from a CDN."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from graph.errors import NotFound

page_router = APIRouter(include_in_schema=False)

ASSETS = Path(str(swagger_ui_path))
SERVED = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
          "favicon-32x32.png": "image/png"}


@page_router.get("/docs")
def docs(request: Request) -> HTMLResponse:
    """Swagger UI for this API's OpenAPI document."""
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json",
        title=f"{request.app.title} — docs",
        swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
        swagger_favicon_url=f"{root}/docs/assets/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None},  # no call to the online validator
    )


@page_router.get("/openapi.json")
def openapi(request: Request) -> JSONResponse:
    """The OpenAPI document (open or closed like every read)."""
    return JSONResponse(request.app.openapi())


@page_router.get("/docs/assets/{name}")
def asset(name: str) -> FileResponse:
    """One of the few Swagger UI files ``/docs`` needs."""
    if name not in SERVED:
        raise NotFound(f"no asset {name!r}", details=[{"field": "name"}])
    return FileResponse(ASSETS / name, media_type=SERVED[name],
                        headers={"Cache-Control": "public, max-age=86400"})
