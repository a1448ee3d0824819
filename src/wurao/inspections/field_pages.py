"""Inspections: the officer's offline field page (/field), its service worker and manifest.

The page is a shell the service worker keeps on the phone; ``static/js/field.js`` fills it from
``/api/v1/field/tasks`` (cached in IndexedDB) and syncs what the officer recorded offline.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.web.deps import TxRoute, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.templating import render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"


@router.get("/field", response_class=HTMLResponse)
def field_page(
    request: Request, actor: Actor = Depends(require(Permission.RECORDS_WRITE))
) -> Response:
    """The officer's field page: tasks, codes and records, usable with no network."""
    return render(request, "field/field.html", {})


@router.get("/field/sw.js", include_in_schema=False)
def field_service_worker(_: Actor | None = Depends(public)) -> Response:
    """The service worker; served under /field so that its scope may cover /field itself."""
    return FileResponse(
        STATIC / "js" / "field-sw.js",
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/field", "Cache-Control": "no-cache"},
    )


@router.get("/field/manifest.webmanifest", include_in_schema=False)
def field_manifest(_: Actor | None = Depends(public)) -> Response:
    """The web app manifest (installable from the browser's menu, no app store)."""
    return FileResponse(STATIC / "manifest.webmanifest", media_type="application/manifest+json")
