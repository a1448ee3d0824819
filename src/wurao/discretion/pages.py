"""Pages of the benchmarks (裁量基准) and the leniency lists: the staff's lists, a table with its
rows and conflicts, the .xlsx template and upload with the row-by-row report, publication,
and the public portal's pages (/public/discretion, no sign-in)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput
from wurao.core.paging import paginate
from wurao.core.time import local_today
from wurao.discretion import imports, leniency, service
from wurao.discretion.models import BenchmarkTable, Circumstance, LeniencyKind, OwnerKind
from wurao.discretion.page_forms import (
    ImportForm,
    LeniencyForm,
    ListImportForm,
    TableForm,
)
from wurao.web.deps import TxRoute, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.params import LongId, PageNo
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 8 * 1024 * 1024
TEMPLATES = {"benchmark": "裁量基准导入模板.xlsx", "list": "清单导入模板.xlsx"}


def _labels() -> dict[str, Any]:
    return {
        "circumstances": Circumstance.labels(),
        "kinds": LeniencyKind.labels(),
        "owner_kinds": OwnerKind.labels(),
        "owner_short": {OwnerKind.SUBJECT.value: "执法主体", OwnerKind.REGION.value: "地区"},
        "levels": service.OWNER_LEVELS,
        "fen_range": service.fen_range,
    }


def _read(file: UploadFile) -> bytes:
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("文件超过8MB。", field="file")
    return data


# --- staff pages: tables --------------------------------------------------------------------


def _tables(
    request: Request,
    db: Session,
    actor: Actor,
    *,
    region: str = "",
    field: str = "",
    page: int = 1,
) -> Response:
    found = service.list_tables(
        db, service.tables_visible_to(actor), region=region, field=field, page=page
    )
    return render(
        request,
        "discretion/tables.html",
        {
            **found.context(),
            "filters": {"region": region, "field": field},
            "can_manage": actor.can(service.MANAGE),
            "form": _new_table(actor),
            **_labels(),
        },
    )


def _new_table(actor: Actor) -> dict[str, str]:
    """A fresh form: a supervisor sets its region's table, an agency its subject's."""
    if actor.role is Role.SUPERVISOR:
        return {"owner_kind": OwnerKind.REGION, "region_code": actor.region_code}
    return {"owner_kind": OwnerKind.SUBJECT}


@router.get("/discretion", response_class=HTMLResponse)
def tables_page(
    request: Request,
    region: str = "",
    field: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The benchmark tables the actor may read, and the form for a new one."""
    return _tables(request, db, actor, region=region, field=field, page=page)


@router.post("/discretion", response_class=HTMLResponse)
def create_table(
    request: Request,
    form: Annotated[TableForm, Form()],
    actor: Actor = Depends(require(Permission.ITEMS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """A new draft table; a refusal shows the form again with what was typed."""
    data = service.TableData(
        owner_kind=form.owner_kind,
        field=form.field,
        title=form.title,
        effective_from=form.effective_from,
        doc_number=form.doc_number,
        region_code=form.region_code,
    )
    table = service.create_table(db, actor=actor, data=data)
    flash(request, "已新建裁量基准，请下载模板填写后导入。")
    return RedirectResponse(f"/discretion/{table.id}", status_code=303)


@router.get("/discretion/template/{kind}")
def template_download(kind: str, _: Actor = Depends(require(Permission.CASES_VIEW))) -> Response:
    """The .xlsx template of a benchmark table or a leniency list."""
    if kind not in TEMPLATES:
        raise InvalidInput("未知的模板。", field="kind")
    return Response(
        imports.template(kind),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(TEMPLATES[kind])}"},
    )


def _table(
    request: Request,
    db: Session,
    actor: Actor,
    table: BenchmarkTable,
    report: imports.ImportReport | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "discretion/table.html",
        {
            "table": table,
            "rows": service.rows_of(db, table),
            "owner": service.owner_name(db, table),
            "conflicts": [c.violation() for c in service.conflicts(db, table)],
            "editable": service.may_edit(actor, table),
            "report": report,
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/discretion/{table_id}", response_class=HTMLResponse)
def table_page(
    request: Request,
    table_id: LongId,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One table: its rows, the county-versus-city conflicts (D24), upload and publish."""
    table = service.get_table(db, actor=actor, table_id=table_id)
    return _table(request, db, actor, table)


@router.post("/discretion/{table_id}/import", response_class=HTMLResponse)
def import_rows(
    request: Request,
    table_id: LongId,
    form: Annotated[ImportForm, Form()],
    file: UploadFile = File(...),
    actor: Actor = Depends(require(Permission.ITEMS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Check every row of the uploaded sheet and show the report; write the rows as chosen."""
    table = service.get_table(db, actor=actor, table_id=table_id)
    service.check_edit(actor, table)
    report = imports.validate_benchmark(db, table=table, data=_read(file))
    imports.apply_benchmark(
        db, actor=actor, table=table, report=report, accept_valid=form.accept_valid
    )
    return _table(request, db, actor, table, report, 200 if report.written else 422)


@router.post("/discretion/{table_id}/publish")
def publish(
    request: Request,
    table_id: LongId,
    actor: Actor = Depends(require(Permission.ITEMS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Publish the table (公开)."""
    table = service.get_table(db, actor=actor, table_id=table_id)
    service.publish_table(db, actor=actor, table=table, on=local_today())
    flash(request, "裁量基准已公布。")
    return RedirectResponse(f"/discretion/{table.id}", status_code=303)


# --- staff pages: leniency lists ------------------------------------------------------------


def _lists(
    request: Request,
    db: Session,
    actor: Actor,
    *,
    filters: dict[str, str],
    page: int = 1,
    report: imports.ImportReport | None = None,
    status_code: int = 200,
) -> Response:
    stmt = leniency.list_entries(db, actor=actor, **filters)
    found = paginate(db, stmt, page)
    return render(
        request,
        "discretion/lists.html",
        {
            **found.context(),
            "filters": filters,
            "can_manage": actor.can(service.MANAGE),
            "form": {"region_code": actor.region_code},
            "report": report,
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/leniency", response_class=HTMLResponse)
def lists_page(
    request: Request,
    region: str = "",
    field: str = "",
    kind: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The leniency lists by region, field and list, with the forms to add or import."""
    filters = {"region": region, "field": field, "kind": kind}
    return _lists(request, db, actor, filters=filters, page=page)


@router.post("/leniency", response_class=HTMLResponse)
def add_entry(
    request: Request,
    form: Annotated[LeniencyForm, Form()],
    actor: Actor = Depends(require(Permission.ITEMS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Add one entry; a refusal shows the form again with what was typed."""
    data = leniency.EntryData(
        form.region_code, form.field, form.kind, form.violation, form.violation_code,
        form.provision, form.conditions,
    )  # fmt: skip
    leniency.add_entry(db, actor=actor, data=data)
    flash(request, "已加入清单。")
    return RedirectResponse("/leniency", status_code=303)


@router.post("/leniency/import", response_class=HTMLResponse)
def import_list(
    request: Request,
    form: Annotated[ListImportForm, Form()],
    file: UploadFile = File(...),
    actor: Actor = Depends(require(Permission.ITEMS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Check every row of an uploaded list and show the report; write the rows as chosen."""
    if not form.region_code:
        raise InvalidInput("请填写行政区划代码。", field="region_code")
    report = imports.validate_list(db, region_code=form.region_code, data=_read(file))
    imports.apply_list(
        db,
        actor=actor,
        region_code=form.region_code,
        report=report,
        accept_valid=form.accept_valid,
    )
    filters = {"region": form.region_code, "field": "", "kind": ""}
    status = 200 if report.written else 422
    return _lists(request, db, actor, filters=filters, report=report, status_code=status)


@router.post("/leniency/{entry_id}/delete")
def delete_entry(
    request: Request,
    entry_id: LongId,
    actor: Actor = Depends(require(Permission.ITEMS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Remove one entry from its list."""
    leniency.delete_entry(db, actor=actor, entry_id=entry_id)
    flash(request, "已删除清单条目。")
    return RedirectResponse("/leniency", status_code=303)


# --- the public portal ----------------------------------------------------------------------


@router.get("/public/discretion", response_class=HTMLResponse)
def public_tables(
    request: Request,
    region: str = "",
    field: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Published benchmark tables by region (and below) and field, for anyone."""
    found = service.public_tables(db, region=region, field=field, page=page)
    return render(
        request,
        "discretion/public_tables.html",
        {
            **found.context(),
            "filters": {"region": region.strip(), "field": field},
            "owners": {t.id: service.owner_name(db, t) for t in found.items},
            **_labels(),
        },
    )


@router.get("/public/discretion/{table_id}", response_class=HTMLResponse)
def public_table(
    request: Request,
    table_id: LongId,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """One published table with its rows."""
    table = service.get_public_table(db, table_id=table_id)
    return render(
        request,
        "discretion/public_table.html",
        {
            "table": table,
            "rows": service.rows_of(db, table),
            "owner": service.owner_name(db, table),
            **_labels(),
        },
    )
