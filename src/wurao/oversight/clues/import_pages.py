"""The hotline import pages: upload a work-order export, map its columns (once per hotline),
see every refused row, then import the valid rows or nothing."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.config import get_settings
from wurao.core.errors import InvalidInput
from wurao.oversight.clues import imports
from wurao.oversight.clues.statuses import HOTLINES
from wurao.web.deps import TxRoute, form_fields, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm
from wurao.web.params import Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
MAX_UPLOAD = 64 * 1024 * 1024
PAGE = "oversight/clue_import.html"


class UploadForm(PageForm):
    """上传并校验: the hotline (the file comes separately)."""

    source: Annotated[str, Text(20, "热线")] = ""


class ConfirmForm(PageForm):
    """The row report's choice: import the valid rows, or nothing."""

    source: Annotated[str, Text(20, "热线")] = ""
    digest: Annotated[str, Text(64, "校验值")] = ""
    filename: Annotated[str, Text(200, "文件名")] = ""
    choice: Annotated[str, Text(20, "选择")] = ""


def _path(digest: str) -> Any:
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise InvalidInput("文件标识无效，请重新上传。", field="file")
    return get_settings().var_dir / "clue_imports" / digest


def _store(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    path = _path(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return digest


def _load(digest: str) -> bytes:
    path = _path(digest)
    if not path.exists():
        raise InvalidInput("上传的文件已失效，请重新上传。", field="file")
    return bytes(path.read_bytes())


def _page(request: Request, status: int = 200, **context: Any) -> Response:
    base = {
        "hotlines": {s.value: s.label for s in HOTLINES},
        "fields": imports.FIELDS,
        "source": "hotline_12345",
        "stage": "upload",
        "error": None,
    }
    return render(request, PAGE, {**base, **context}, status_code=status)


@router.get("/oversight/clues/import", response_class=HTMLResponse)
def import_page(request: Request, _: Actor = Depends(require(Permission.CLUES_VIEW))) -> Response:
    """Choose the hotline and upload its export."""
    return _page(request)


@router.post("/oversight/clues/import", response_class=HTMLResponse)
def upload(
    request: Request,
    form: Annotated[UploadForm, Form()],
    file: UploadFile = File(...),
    actor: Actor = Depends(require(Permission.CLUES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Read the header; with a saved mapping that fits, show the row report at once (a
    refused file: the upload form again, the hotline kept, the error beside the file)."""
    source = form.source
    data = file.file.read(MAX_UPLOAD + 1)
    filename = file.filename or ""
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("文件超过64MB，请分批导入。", field="file")
    saved = imports.saved_mapping(db, actor=actor, source=source)
    header, _rows = imports.read_table(data, filename)
    digest = _store(data)
    mapping = imports.suggest(header, saved)
    ready = bool(saved) and all(f in mapping for f, (_l, req, _n) in imports.FIELDS.items() if req)
    if not ready:
        return _page(request, source=source, stage="map", header=header, mapping=mapping,
                     digest=digest, filename=filename)  # fmt: skip
    report = imports.check(
        db, actor=actor, source=source, data=data, filename=filename, mapping=mapping
    )
    return _page(request, source=source, stage="report", report=report, mapping=mapping,
                 header=header, digest=digest, filename=filename)  # fmt: skip


@router.post("/oversight/clues/import/map", response_class=HTMLResponse)
def save_map(
    request: Request,
    form: Any = Depends(form_fields),
    actor: Actor = Depends(require(Permission.CLUES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Keep the clerk's mapping for this hotline, then show the row report. The mapping
    step is itself the answer to a post (it shows the uploaded file's columns), so a refused
    mapping is answered here with the same step, the choices kept — the page it was sent from
    cannot be asked for again."""
    source, digest = str(form.get("source", "")), str(form.get("digest", ""))
    filename = str(form.get("filename", ""))[:200]
    raw = {f: str(form.get(f"map_{f}", ""))[:100] for f in imports.FIELDS}
    header: list[str] = []
    try:
        data = _load(digest)
        header, _rows = imports.read_table(data, filename)
        mapping = imports.save_mapping(db, actor=actor, source=source, mapping=raw, header=header)
        report = imports.check(
            db, actor=actor, source=source, data=data, filename=filename, mapping=mapping
        )
    except InvalidInput as exc:
        db.rollback()
        return _page(request, 422, source=source, stage="map", header=header, mapping=raw,
                     digest=digest, filename=filename, error=exc)  # fmt: skip
    return _page(request, source=source, stage="report", report=report, mapping=mapping,
                 header=header, digest=digest, filename=filename)  # fmt: skip


@router.post("/oversight/clues/import/confirm")
def confirm(
    request: Request,
    form: Annotated[ConfirmForm, Form()],
    actor: Actor = Depends(require(Permission.CLUES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Import the valid rows (merging known work orders), or nothing, as the clerk chose."""
    source, digest, filename = form.source, form.digest, form.filename
    if form.choice != "valid":
        flash(request, "已取消，本次未导入任何数据。", "warn")
        return RedirectResponse("/oversight/clues/import", status_code=303)
    data = _load(digest)
    mapping = imports.saved_mapping(db, actor=actor, source=source)
    report = imports.check(
        db, actor=actor, source=source, data=data, filename=filename, mapping=mapping
    )
    imports.apply(db, actor=actor, report=report)
    flash(
        request,
        f"导入完成：新建线索{report.created}条，合并重复工单{report.merged}条，"
        f"拒绝{report.rejected}行。",
    )
    return RedirectResponse(f"/oversight/clues?source={source}", status_code=303)
