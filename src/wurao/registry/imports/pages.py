"""Import and export pages: upload, see every rejected row, then import the valid rows or none."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.config import get_settings
from wurao.core.errors import InvalidInput
from wurao.registry.imports import service
from wurao.registry.imports.sheets import SPECS
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm
from wurao.web.params import Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 64 * 1024 * 1024


def _store(digest: str, data: bytes) -> None:
    folder = get_settings().var_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{digest}.xlsx").write_bytes(data)


def _load(digest: str) -> bytes:
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise InvalidInput("文件标识无效，请重新上传。", field="file")
    path = get_settings().var_dir / "imports" / f"{digest}.xlsx"
    if not path.exists():
        raise InvalidInput("上传的文件已失效，请重新上传。", field="file")
    return path.read_bytes()


def _xlsx(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@router.get("/registry/imports", response_class=HTMLResponse)
def imports_page(
    request: Request,
    kind: str = "enterprises",
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
) -> Response:
    """Choose a registry, download its template, upload a file."""
    return render(
        request,
        "registry/imports.html",
        {
            "specs": SPECS,
            "kind": kind if kind in SPECS else "enterprises",
            "manage": service.MANAGE,
        },
    )


@router.get("/registry/imports/template/{kind}")
def template_download(kind: str, _: Actor = Depends(require(Permission.REGISTRY_VIEW))) -> Response:
    """The .xlsx template of a registry."""
    spec = service.spec_for(kind)
    return _xlsx(service.template(kind), f"{spec.title}导入模板.xlsx")


class UploadForm(PageForm):
    """上传并校验: the registry and its file."""

    kind: Annotated[str, Text(20, "名录")] = ""
    file: UploadFile = Field(title="文件")


class ConfirmForm(PageForm):
    """导入校验通过的行, or none: the report's hidden fields and the button pressed."""

    kind: Annotated[str, Text(20, "名录")]
    digest: Annotated[str, Text(64, "文件标识")]
    choice: Annotated[str, Text(20, "选择")]


@router.post("/registry/imports", response_class=HTMLResponse)
def upload(
    request: Request,
    form: Annotated[UploadForm, Form()],
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Validate an uploaded file and show the report; nothing is written yet (refused: the
    upload page again, the registry chosen kept, the file to be chosen again)."""
    data = form.file.file.read(MAX_UPLOAD + 1)  # a spooled file: read in the thread pool
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("文件超过64MB，请分批导入或使用命令行 wurao import。", field="file")
    report = service.validate(db, actor=actor, kind=form.kind, data=data)
    _store(report.digest, data)
    return render(
        request,
        "registry/import_report.html",
        {"report": report, "spec": SPECS[form.kind], "filename": form.file.filename or ""},
    )


@router.post("/registry/imports/confirm")
def confirm(
    request: Request,
    form: Annotated[ConfirmForm, Form()],
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Import the valid rows, or nothing, as the user chose (a file gone: the upload page)."""
    back = f"/registry/imports?kind={quote(form.kind)}"
    if form.choice != "valid":
        flash(request, "已取消，本次未导入任何数据。", "warn")
        return RedirectResponse(back, status_code=303)
    report = service.validate(db, actor=actor, kind=form.kind, data=_load(form.digest))
    service.apply(db, actor=actor, report=report, accept_valid=True)
    flash(
        request,
        f"{SPECS[form.kind].title}导入完成：新增{report.created}，更新{report.updated}，"
        f"未变{report.unchanged}，拒绝{report.rejected_rows}行。",
    )
    return RedirectResponse(back, status_code=303)


@router.get("/registry/export/{kind}")
def export(
    kind: str,
    q: str = "",
    fmt: Annotated[str, Query(alias="format"), Text(4, "格式")] = "xlsx",
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The visible rows of a registry as .xlsx, or CSV with ``format=csv`` (the import layout)."""
    spec = service.spec_for(kind)
    if fmt == "csv":
        return Response(
            service.export_csv(db, actor=actor, kind=kind, q=q),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(spec.title)}.csv"
            },
        )
    return _xlsx(service.export(db, actor=actor, kind=kind, q=q), f"{spec.title}.xlsx")
