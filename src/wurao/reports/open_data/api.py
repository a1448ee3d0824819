"""The open-data API, /api/open/v1/… (no sign-in; docs/open-data.md).

Each resource of ``resources.RESOURCES`` is a paged list filtered by region and date, with a
strong ETag (304 on If-None-Match) and Last-Modified; its JSON Schema is published beside it
and its bulk files (``wurao opendata export``) are served as written. The anonymous rate limit
covers every path here (``web/ratelimit.py``, bucket ``open_data``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.core.errors import NotFound
from wurao.core.paging import API_MAX_PER_PAGE
from wurao.reports.open_data.export import BULK_FORMATS, bulk_path
from wurao.reports.open_data.formats import MAX_AGE, cached, json_bytes, last_modified
from wurao.reports.open_data.published import OpenPage
from wurao.reports.open_data.queries import Filters
from wurao.reports.open_data.resources import RESOURCES, Resource, resource
from wurao.sampling import artefacts
from wurao.sampling.results import get_public_draw
from wurao.web.deps import TxRoute, get_db, public
from wurao.web.errors import API_ERRORS
from wurao.web.params import Id, PageNo

PREFIX = "/api/open/v1"
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {304: {"description": "Not modified (ETag)"}}

router = APIRouter(prefix=PREFIX, route_class=TxRoute, tags=["open data"], responses=API_ERRORS)

Region = Annotated[str, Query(max_length=12, description="行政区划代码（含下级）")]
Since = Annotated[dt.date | None, Query(description="起始日期（含）")]
Until = Annotated[dt.date | None, Query(description="截止日期（含）")]
PerPage = Annotated[int, Query(ge=1, le=API_MAX_PER_PAGE, description="每页条数")]


def page_body(res: Resource, f: Filters, page: int, per_page: int, db: Session) -> OpenPage[Any]:
    """One page of a resource as the API answers it."""
    found = res.read(db, f, page, per_page)
    return OpenPage[res.model](  # type: ignore[name-defined]
        items=found.items, total=found.total, page=found.page, per_page=per_page, pages=found.pages
    )


def _list_endpoint(res: Resource) -> Callable[..., Response]:
    def endpoint(
        request: Request,
        region: Region = "",
        since: Since = None,
        until: Until = None,
        page: PageNo = 1,
        per_page: PerPage = 50,
        _: Actor | None = Depends(public),
        db: Session = Depends(get_db),
    ) -> Response:
        body = page_body(res, Filters(region, since, until), page, per_page, db)
        links = []
        if body.page < body.pages:
            nxt = request.url.include_query_params(page=body.page + 1)
            links.append(f'<{nxt.path}?{nxt.query}>; rel="next"')
        return cached(
            request,
            json_bytes(body.model_dump(mode="json")),
            "application/json",
            modified=last_modified(body.items, res.date_field),
            headers={"Link": ", ".join(links)} if links else None,
        )

    endpoint.__doc__ = (
        f"{res.title}: one page, filtered by region and {res.date_field or 'no'} date."
    )
    endpoint.__name__ = f"open_{res.name}"
    return endpoint


for _res in RESOURCES.values():
    router.add_api_route(
        f"/{_res.name}",
        _list_endpoint(_res),
        methods=["GET"],
        response_model=OpenPage[_res.model],  # type: ignore[name-defined]
        responses=NOT_MODIFIED,
        summary=_res.title,
    )


@router.get("/", summary="资源目录")
def index(_: Actor | None = Depends(public)) -> dict[str, Any]:
    """The resources, their schemas and bulk files."""
    return {
        "version": "v1",
        "documentation": "docs/open-data.md",
        "resources": [
            {
                "name": r.name,
                "title": r.title,
                "url": f"{PREFIX}/{r.name}",
                "schema": f"{PREFIX}/schemas/{r.name}.json",
                "bulk": [f"{PREFIX}/bulk/{r.name}.{fmt}" for fmt in BULK_FORMATS],
                "date_field": r.date_field,
            }
            for r in RESOURCES.values()
        ],
    }


@router.get("/schemas/{name}", summary="JSON Schema", responses=NOT_MODIFIED)
def schema(request: Request, name: str, _: Actor | None = Depends(public)) -> Response:
    """The JSON Schema of one page of a resource (``subjects.json`` …)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or ext != "json":
        raise NotFound("JSON Schema 的地址形如 /api/open/v1/schemas/subjects.json。")
    return cached(request, json_bytes(resource(stem).schema()), "application/schema+json")


@router.get("/bulk/{name}", summary="批量下载", responses=NOT_MODIFIED)
def bulk(request: Request, name: str, _: Actor | None = Depends(public)) -> Response:
    """A resource's bulk file as last written by ``wurao opendata export``."""
    stem, dot, ext = name.rpartition(".")
    if not dot or ext not in BULK_FORMATS:
        raise NotFound("批量文件的地址形如 /api/open/v1/bulk/subjects.jsonl 或 .csv。")
    path = bulk_path(resource(stem).name, ext)
    if not path.is_file():
        raise NotFound("批量文件尚未生成（每晚由 wurao opendata export 生成）。")
    stat = path.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={MAX_AGE}"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    media = "text/csv; charset=utf-8" if ext == "csv" else "application/jsonl; charset=utf-8"
    return FileResponse(path, media_type=media, filename=path.name, headers=headers)


@router.get("/draws/{draw_id}/artefacts", summary="抽查核验材料", responses=NOT_MODIFIED)
def draw_artefacts(
    request: Request,
    draw_id: Id,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """A draw's artefacts (RFC 8785 canonical JSON, as ``wurao draw verify`` reads them)."""
    body = artefacts.artefacts_bytes(get_public_draw(db, draw_id=draw_id))
    return cached(request, body, "application/json")
