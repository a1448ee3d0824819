"""Pages of fine revenue (罚没收入): the monthly table by subject or region with the
year-on-year change, the paid cases behind a month, and the finance side's .xlsx import."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput
from wurao.core.time import local_today
from wurao.oversight.fines import imports, queries
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm
from wurao.web.params import OptIdQuery, OptYear, PageNo
from wurao.web.templating import render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 8 * 1024 * 1024
By = Annotated[Literal["subject", "region"], Query(description="按执法主体或按地区")]
RegionQuery = Annotated[str, Query(max_length=12, pattern=r"^[0-9]*$", description="地区代码")]
Month = Annotated[int | None, Query(ge=1, le=12, description="月份")]


def yuan(fen: int) -> str:
    """An amount in fen as the tables show it (元, two decimals)."""
    return f"{fen / 100:,.2f}"


@router.get("/oversight/fines", response_class=HTMLResponse)
def fines_page(
    request: Request,
    year: OptYear = None,
    by: By = "subject",
    actor: Actor = Depends(require(Permission.DASHBOARD_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Monthly 罚没收入 per subject or region of the actor's region, with year-on-year."""
    today = local_today()
    found = queries.table(db, actor=actor, year=year or today.year, today=today, by=by)
    return render(
        request,
        "oversight/fines/monthly.html",
        {
            "t": found,
            "yuan": yuan,
            "can_import": actor.can(imports.IMPORT),
            "sources": {queries.CASES: "案", queries.IMPORTED: "财", "mixed": "混"},
        },
    )


@router.get("/oversight/fines.xlsx")
def fines_xlsx(
    year: OptYear = None,
    by: By = "subject",
    actor: Actor = Depends(require(Permission.DASHBOARD_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The monthly table as .xlsx."""
    today = local_today()
    found = queries.table(db, actor=actor, year=year or today.year, today=today, by=by)
    return Response(
        imports.workbook(found),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename=fines-{found.year}-{by}.xlsx"},
    )


@router.get("/oversight/fines/cases", response_class=HTMLResponse)
def fine_cases_page(
    request: Request,
    year: OptYear = None,
    month: Month = None,
    subject: OptIdQuery = None,
    region: RegionQuery = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.DASHBOARD_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The paid cases behind one month's (or one year's) figure."""
    year = year or local_today().year
    subject_row = queries.subject_in_scope(db, actor=actor, subject_id=subject) if subject else None
    found = queries.paid_cases(
        db,
        actor=actor,
        year=year,
        month=month,
        subject_id=subject,
        region=region,
        page=page,
    )
    booked = (
        queries.imported_month(
            db, actor=actor, year=year, month=month, subject_id=subject, region=region
        )
        if month
        else None
    )
    return render(
        request,
        "oversight/fines/cases.html",
        {
            **found.context("cases"),
            "year": year,
            "month": month,
            "subject": subject_row,
            "region": region,
            "booked": booked,
            "yuan": yuan,
        },
    )


@router.get("/oversight/fines/template.xlsx")
def import_template(_: Actor = Depends(require(imports.IMPORT))) -> Response:
    """The .xlsx template of the finance side's figures."""
    return Response(
        imports.template(),
        media_type=XLSX,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote('罚没收入导入模板.xlsx')}"
        },
    )


@router.get("/oversight/fines/import", response_class=HTMLResponse)
def import_page(request: Request, _: Actor = Depends(require(imports.IMPORT))) -> Response:
    """The upload form."""
    return render(request, "oversight/fines/import.html", {"report": None})


class ImportForm(PageForm):
    """上传并校验 (the file comes separately)."""

    accept_valid: bool = Field(False, title="只导入校验通过的行")


@router.post("/oversight/fines/import", response_class=HTMLResponse)
def import_upload(
    request: Request,
    form: Annotated[ImportForm, Form()],
    file: UploadFile = File(...),
    actor: Actor = Depends(require(imports.IMPORT)),
    db: Session = Depends(get_db),
) -> Response:
    """Check every row and show the report; write the rows as chosen. A file that cannot be
    read comes back on the upload form (the choice kept, the error beside the file); rows
    refused are the report itself, each with its reasons."""
    accept_valid = form.accept_valid
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("文件超过8MB。", field="file")
    report = imports.validate(db, actor=actor, data=data, today=local_today())
    imports.apply(db, actor=actor, report=report, accept_valid=accept_valid)
    ok = bool(report.values) and (not report.rejected or accept_valid)
    return render(
        request,
        "oversight/fines/import.html",
        {"report": report},
        status_code=200 if ok else 422,
    )
