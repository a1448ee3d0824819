"""Annual statistics pages: the year's overview (every subject's state; the supervisor's region
totals), one report with its steps, the files; the portal's published data under
/public/statistics/{year}."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.time import local_today
from wurao.registry import service as registry
from wurao.registry.models import EnforcementSubject
from wurao.reports.annual import exports, queries, service
from wurao.reports.annual.catalogue import FIGURES, by_category
from wurao.reports.annual.models import AnnualReport
from wurao.reports.annual.statuses import ANNUAL_LIFECYCLE
from wurao.web.deps import TxRoute, form_fields, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm, form_year
from wurao.web.params import MAX_ID, MAX_YEAR, MIN_YEAR, Id, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
PathYear = Annotated[int, Path(ge=MIN_YEAR, le=MAX_YEAR, description="年度")]


class GenerateForm(PageForm):
    """生成草稿 (hidden fields of the overview's button)."""

    subject: int = Field(ge=1, le=MAX_ID, title="执法主体")
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR, title="年度")


class ReviewForm(PageForm):
    """法制审核: pass or return, with the opinion."""

    opinion: Annotated[str, Text(2000, "审核意见")] = ""


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _file(data: bytes, media_type: str, name: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _year(value: str) -> int:
    return form_year(value) or local_today().year - 1


def _subject(db: Session, report: AnnualReport) -> EnforcementSubject:
    subject = db.get(EnforcementSubject, report.subject_id)
    if subject is None:
        raise NotFound("执法主体不存在。")
    return subject


@router.get("/reports/annual", response_class=HTMLResponse)
def overview_page(
    request: Request,
    year: Annotated[str, Text(4, "年度")] = "",
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Every subject's state for the year; the supervisor also sees its region's totals."""
    y = _year(year)
    today = local_today()
    lines = queries.overview(db, actor=actor, year=y, today=today)
    totals = None
    if actor.can(Permission.DASHBOARD_VIEW):
        totals = by_category(queries.region_totals(db, actor=actor, year=y).figures)
    context = {
        "year": y,
        "lines": lines,
        "deadline": service.deadline(actor.region_code, y) if actor.region_code else None,
        "totals": totals,
        "may_generate": {ln.subject.id for ln in lines if service.may_edit(actor, ln.subject.id)},
    }
    return render(request, "reports/annual/overview.html", context)


@router.post("/reports/annual/generate", response_class=HTMLResponse)
def generate(
    request: Request,
    form: Annotated[GenerateForm, Form()],
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Generate (or refresh) the subject's draft from the records."""
    s = queries.subject_for(db, actor=actor, subject_id=form.subject)
    year = form.year or local_today().year - 1
    report = service.generate(db, actor=actor, subject=s, year=year)
    flash(request, "已从平台记录生成年度数据草稿。")
    return RedirectResponse(f"/reports/annual/{report.id}", status_code=303)


def _detail(
    request: Request,
    db: Session,
    actor: Actor,
    report: AnnualReport,
) -> Response:
    subject = _subject(db, report)
    manual = service.loads(report.manual)
    context = {
        "report": report,
        "subject": subject,
        "groups": by_category(service.all_values(report)),
        "manual": manual,
        "manual_figures": [f for f in FIGURES if f.manual],
        "lists": service.loads(report.lists),
        "status_label": ANNUAL_LIFECYCLE.label(report.status),
        "allowed": service.allowed_actions(actor, report),
        "deadline": service.deadline(report.region_code, report.year),
        "late": service.is_late(report, report.region_code, report.year, local_today()),
        "query_time": exports.query_time(report),
    }
    return render(request, "reports/annual/detail.html", context)


@router.get("/reports/annual/{report_id}", response_class=HTMLResponse)
def report_page(
    request: Request,
    report_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One subject's annual data, its manual figures and the step open to the viewer."""
    return _detail(request, db, actor, service.get_report(db, actor=actor, report_id=report_id))


@router.post("/reports/annual/{report_id}/regenerate", response_class=HTMLResponse)
def regenerate(
    request: Request,
    report_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Compute the draft's figures again from the records."""
    report = service.get_report(db, actor=actor, report_id=report_id)
    service.generate(db, actor=actor, subject=_subject(db, report), year=report.year)
    flash(request, "已重新生成。")
    return RedirectResponse(f"/reports/annual/{report.id}", status_code=303)


@router.post("/reports/annual/{report_id}/manual", response_class=HTMLResponse)
def manual(
    request: Request,
    report_id: Id,
    fields: FormData = Depends(form_fields),
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Enter the figures the platform cannot know, each with its reason. The fields
    (``value_<key>``, ``reason_<key>``) follow the figure catalogue, so they are read by name;
    a refusal names the figure's key, which its row shows."""
    report = service.get_report(db, actor=actor, report_id=report_id)
    values = []
    for f in FIGURES:
        raw = str(fields.get(f"value_{f.key}", "")).strip() if f.manual else ""
        if raw:
            if not (raw.isascii() and raw.isdigit()) or len(raw) > 13:
                raise InvalidInput(f"{f.label}：请填写非负整数。", field=f.key)
            values.append(
                service.ManualValue(f.key, int(raw), str(fields.get(f"reason_{f.key}", "")))
            )
    if not values:
        raise InvalidInput("请至少填写一项数值。", field="manual")
    service.set_manual(db, actor=actor, report=report, values=values)
    flash(request, f"已保存{len(values)}项补充数据。")
    return RedirectResponse(f"/reports/annual/{report.id}", status_code=303)


@router.get("/reports/annual/{report_id}/manual.xlsx")
def manual_template(
    report_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """The .xlsx of manual figures to fill in."""
    report = service.get_report(db, actor=actor, report_id=report_id)
    return _file(exports.manual_template(report), XLSX, f"{report.year}年度补充数据.xlsx")


@router.post("/reports/annual/{report_id}/manual.xlsx", response_class=HTMLResponse)
def manual_import(
    request: Request,
    report_id: Id,
    file: UploadFile = File(...),
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Import the filled-in .xlsx of manual figures."""
    report = service.get_report(db, actor=actor, report_id=report_id)
    data = file.file.read(exports.IMPORT_MAX_BYTES + 1)
    values = exports.parse_manual(data)
    service.set_manual(db, actor=actor, report=report, values=values)
    flash(request, f"已导入{len(values)}项补充数据。")
    return RedirectResponse(f"/reports/annual/{report.id}", status_code=303)


def _step(
    request: Request, db: Session, actor: Actor, report_id: int, action: str, opinion: str = ""
) -> Response:
    report = service.get_report(db, actor=actor, report_id=report_id)
    if action == "submit":
        service.submit(db, actor=actor, report=report)
    elif action == "approve":
        service.approve(db, actor=actor, report=report)
    elif action in ("review_pass", "review_return"):
        passed = action == "review_pass"
        service.review(db, actor=actor, report=report, passed=passed, opinion=opinion)
    else:
        raise NotFound("未知的操作。")
    flash(request, f"已办理，当前状态：{ANNUAL_LIFECYCLE.label(report.status)}。")
    return RedirectResponse(f"/reports/annual/{report.id}", status_code=303)


@router.post("/reports/annual/{report_id}/review/{outcome}", response_class=HTMLResponse)
def review(
    request: Request,
    report_id: Id,
    outcome: Annotated[str, Text(8, "审核结果")],
    form: Annotated[ReviewForm, Form()],
    actor: Actor = Depends(require(Permission.SPECIAL_LEGAL_REVIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """法制审核: pass, or return with the opinion (the subject's own reviewer only)."""
    if outcome not in ("pass", "return"):
        raise NotFound("未知的操作。")
    return _step(request, db, actor, report_id, f"review_{outcome}", form.opinion)


@router.post("/reports/annual/{report_id}/{action}", response_class=HTMLResponse)
def step(
    request: Request,
    report_id: Id,
    action: Annotated[str, Text(16, "操作")],
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Submit to 法制审核, or approve (the head), which publishes."""
    if action not in ("submit", "approve"):
        raise NotFound("未知的操作。")
    return _step(request, db, actor, report_id, action)


@router.get("/reports/annual/{report_id}/package.zip")
def package(
    report_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The report package for the government and the higher department (.docx, .xlsx, note)."""
    report = service.get_report(db, actor=actor, report_id=report_id)
    subject = _subject(db, report)
    name = f"{subject.name}{report.year}年度行政执法数据报送材料.zip"
    return _file(exports.package(report, subject), "application/zip", name)


@router.get("/reports/annual/{report_id}/figures.{ext}")
def figures_file(
    report_id: Id,
    ext: Annotated[str, Text(4, "格式")],
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The report as .xlsx or .docx (a draft too, for checking)."""
    return _export(db, service.get_report(db, actor=actor, report_id=report_id), ext)


def _export(db: Session, report: AnnualReport, ext: str) -> Response:
    subject = _subject(db, report)
    name = f"{subject.name}{report.year}年度行政执法数据.{ext}"
    if ext == "xlsx":
        return _file(exports.workbook(report, subject), XLSX, name)
    if ext == "docx":
        return _file(exports.document(report, subject), DOCX, name)
    raise NotFound("不支持的格式。")


# --- the portal (公示) --------------------------------------------------------------------


@router.get("/public/statistics", response_class=HTMLResponse)
def public_latest(_: Actor | None = Depends(public)) -> Response:
    """The portal's statistics: last year's, the latest that can be published."""
    return RedirectResponse(f"/public/statistics/{local_today().year - 1}", status_code=303)


@router.get("/public/statistics/{year}", response_class=HTMLResponse)
def public_year(
    request: Request,
    year: PathYear,
    region: Annotated[str, Text(12, "区划")] = "",
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """The published annual data of a year (and region): each subject's figures."""
    reports = queries.published(db, year=year, region=region)
    names = queries.subject_names(db, {r.subject_id for r in reports})
    context: dict[str, Any] = {
        "year": year,
        "region": region.strip(),
        "region_name": registry.region_path(db, region.strip()) if region.strip() else "",
        "reports": [(r, names.get(r.subject_id, ""), service.all_values(r)) for r in reports],
        "figures": [f for f in FIGURES if f.key in SUMMARY],
    }
    return render(request, "reports/annual/public_year.html", context)


SUMMARY = ("inspections", "joint_rate", "nonsite_share", "problem_rate", "cases_penalty",
           "fine_fen", "coercion_total", "licensing_granted")  # fmt: skip


@router.get("/public/statistics/{year}/{report_id}", response_class=HTMLResponse)
def public_report(
    request: Request,
    year: PathYear,
    report_id: Id,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """One subject's published annual data with its query date and seal."""
    report = queries.get_published(db, report_id=report_id)
    if report.year != year:
        raise NotFound("年度行政执法数据不存在或尚未公布。")
    context = {
        "report": report,
        "subject": _subject(db, report),
        "groups": by_category(service.all_values(report)),
        "manual": service.loads(report.manual),
        "query_time": exports.query_time(report),
    }
    return render(request, "reports/annual/public_report.html", context)


@router.get("/public/statistics/{year}/{report_id}/figures.{ext}")
def public_file(
    year: PathYear,
    report_id: Id,
    ext: Annotated[str, Text(4, "格式")],
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """A published report as .xlsx or .docx."""
    report = queries.get_published(db, report_id=report_id)
    if report.year != year:
        raise NotFound("年度行政执法数据不存在或尚未公布。")
    return _export(db, report, ext)
