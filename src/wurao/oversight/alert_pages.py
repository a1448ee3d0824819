"""Pages of the rules engine: alerts and their lifecycle, the inbox, the public rules page,
the supervisor's dashboard and its drill-down."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.policy import get_policy
from wurao.core.rules import catalogue
from wurao.core.text import NOTE
from wurao.core.time import local_today
from wurao.inspections.precheck import ORIGINS
from wurao.inspections.records import OUTCOMES
from wurao.oversight import (
    dashboard,
    dashboard_cases,
    drill_down,
    engine,
    rules,
    subject_dashboard,
    triggers,
)
from wurao.oversight.dashboard import Dashboard
from wurao.oversight.fines import queries as fine_queries
from wurao.oversight.rectification import queries as rect_queries
from wurao.oversight.rectification import service as rectification
from wurao.oversight.rectification.statuses import RectStatus, SourceKind
from wurao.registry.items.methods import METHODS
from wurao.web.deps import TxRoute, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm
from wurao.web.params import Id, OptIdQuery, OptLongIdQuery, OptYear, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EVIDENCE_LINKS = {
    "task": "/tasks/{id}",
    "officer": "/registry/officers/{id}",
    "clue": "/oversight/clues/{id}",
    "enterprise": "/oversight/indicator/inspections?enterprise={id}",
    "evaluation": "/oversight/evaluations",
    "unplanned": "/unplanned",
    "indicator": "/oversight/dashboard",
    "case": "/cases/{id}",
    "filing": "/oversight/filings/{id}",
    "coercive_measure": "/coercion/{id}",
}


def _link(item: dict[str, object]) -> str:
    pattern = EVIDENCE_LINKS.get(str(item.get("type", "")), "")
    return pattern.format(id=item.get("id")) if pattern else ""


@router.get("/oversight/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    status: str = "",
    rule: str = "",
    subject: OptIdQuery = None,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Alerts the actor may see, filterable by status, rule and subject."""
    found = engine.list_alerts(
        db, actor=actor, status=status, rule_id=rule, subject_id=subject, page=page
    )
    return render(
        request,
        "oversight/alerts.html",
        {
            **found.context("alerts"),
            "status": status,
            "rule": rule,
            "subject": subject,
            "rules": rules.RULES,
            "statuses": engine.STATUSES,
            "subjects": engine.subject_names(db, (a.subject_id for a in found.items)),
        },
    )


@router.post("/oversight/alerts/sweep", response_class=HTMLResponse)
def run_sweep(
    request: Request,
    actor: Actor = Depends(require(Permission.ALERTS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Run the rules now (the same sweep as the scheduled one)."""
    result = engine.sweep(db, actor=actor)
    flash(request, f"规则扫描完成，新增预警{result.total}条。" + "".join(result.notes))
    return RedirectResponse("/oversight/alerts", status_code=303)


@router.get("/oversight/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(
    request: Request,
    alert_id: Id,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One alert with its evidence, its notice and the actions open to the actor."""
    alert = engine.get_alert(db, actor=actor, alert_id=alert_id)
    evidence = [(e, _link(e)) for e in engine.evidence_of(alert)]
    return render(
        request,
        "oversight/alert_detail.html",
        {
            "alert": alert,
            "evidence": evidence,
            "statuses": engine.STATUSES,
            "subject_name": engine.subject_names(db, [alert.subject_id]).get(
                alert.subject_id or 0, "—"
            ),
            "item": rectification.current_item(db, source_kind="alert", source_id=alert.id),
            "rect_statuses": RectStatus.labels(),
            "today": local_today(),
            "can_manage": actor.can(Permission.ALERTS_MANAGE),
            "can_respond": actor.can(Permission.ALERTS_RESPOND)
            and alert.subject_id == actor.subject_id,
        },
    )


class NotifyForm(PageForm):
    """发送风险提示函: the supervisor's note on the notice."""

    note: Annotated[str, Text(NOTE, "监督意见")] = ""


class DismissForm(PageForm):
    """核销: the supervisor's reason."""

    reason: Annotated[str, Text(NOTE, "核销理由")] = ""


class RespondForm(PageForm):
    """书面答复整改情况 (the rectification item's answer holds 4000 characters)."""

    response: Annotated[str, Text(4000, "整改情况")] = ""


@router.post("/oversight/alerts/{alert_id}/notify", response_class=HTMLResponse)
def notify_alert(
    request: Request,
    alert_id: Id,
    form: Annotated[NotifyForm, Form()],
    actor: Actor = Depends(require(Permission.ALERTS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Send a 风险提示函 to the alert's subject."""
    alert = engine.get_alert(db, actor=actor, alert_id=alert_id)
    notice = engine.notify(db, alert=alert, actor=actor, note=form.note)
    flash(request, f"风险提示函 {notice.number} 已发送至执法主体收件箱。")
    return RedirectResponse(f"/oversight/alerts/{alert.id}", status_code=303)


@router.post("/oversight/alerts/{alert_id}/dismiss", response_class=HTMLResponse)
def dismiss_alert(
    request: Request,
    alert_id: Id,
    form: Annotated[DismissForm, Form()],
    actor: Actor = Depends(require(Permission.ALERTS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Dismiss an alert with the supervisor's reason."""
    alert = engine.get_alert(db, actor=actor, alert_id=alert_id)
    engine.dismiss(db, alert=alert, actor=actor, reason=form.reason)
    flash(request, "预警已核销。")
    return RedirectResponse(f"/oversight/alerts/{alert.id}", status_code=303)


@router.post("/oversight/alerts/{alert_id}/respond", response_class=HTMLResponse)
def respond_alert(
    request: Request,
    alert_id: Id,
    form: Annotated[RespondForm, Form()],
    actor: Actor = Depends(require(Permission.ALERTS_RESPOND)),
    db: Session = Depends(get_db),
) -> Response:
    """The subject's written response answers the alert's rectification item."""
    alert = engine.get_alert(db, actor=actor, alert_id=alert_id)
    engine.respond(db, alert=alert, actor=actor, response=form.response)
    flash(request, "整改情况已答复，待执法监督机构核实销号。")
    return RedirectResponse(f"/oversight/alerts/{alert.id}", status_code=303)


@router.get("/oversight/notices/{notice_id}.docx")
def notice_docx(
    notice_id: Id,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The 风险提示函 as issued (.docx)."""
    notice = engine.get_notice(db, actor=actor, notice_id=notice_id)
    data = engine.notice_docx(db, notice=notice)
    return Response(
        data,
        media_type=DOCX,
        headers={"Content-Disposition": f"attachment; filename=risk-notice-{notice.id}.docx"},
    )


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(
    request: Request,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The subject's inbox: risk notices and other messages."""
    found = engine.inbox(db, actor=actor, page=page)
    return render(request, "oversight/inbox.html", found.context("messages"))


@router.get("/public/rules", response_class=HTMLResponse)
def rules_page(
    request: Request,
    region: str = "330800",
    _: Actor | None = Depends(public),
) -> Response:
    """Every rule of the catalogue with its source, where it is applied, what the sweep looks
    for and the policy parameters in force."""
    from wurao.rules_doc import applied_at  # gathers every domain's checks, as docs/rules.md

    policy = get_policy()
    today = local_today()
    in_force = {p.name: (p, v) for p, v in policy.in_force(region, today)}
    return render(
        request,
        "oversight/rules.html",
        {
            "rules": catalogue(),
            "sweeps": rules.BY_ID,
            "applied": applied_at(),
            "events": {r.id: triggers.events_of(r.id) for r in rules.RULES},
            "in_force": in_force,
            "region": region,
            "today": today,
        },
    )


def _board(db: Session, actor: Actor, year: int | None, subject: int | None) -> Dashboard:
    if subject is None:
        return dashboard.build(db, actor=actor, year=year)
    return subject_dashboard.build(db, actor=actor, subject_id=subject, year=year)


@router.get("/oversight/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    year: OptYear = None,
    subject: OptIdQuery = None,
    actor: Actor = Depends(require(Permission.DASHBOARD_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The supervisor's indicator dashboard for its region, or for one subject of it."""
    board = _board(db, actor, year, subject)
    sections, outcomes = dashboard_cases.extras(db, actor=actor, board=board)
    return render(
        request,
        "oversight/dashboard.html",
        {
            "b": board,
            "sections": sections,
            "outcomes": outcomes,
            "labels": dashboard_cases.LABELS,
            "rectification": _rectification_rows(db, actor, board.year, subject),
            "fines": fine_queries.summary(
                db, actor=actor, year=board.year, today=local_today(), subject_id=subject
            ),
            "buckets": dashboard.PER_ENTERPRISE_BUCKETS,
            "ages": dashboard.AGE_BUCKETS,
            "subjects_chart": [
                {"id": s.id, "name": s.name, "rate": round(r.joint_rate * 100, 1)}
                for s, r in board.subjects[:20]
                if r.inspections
            ],
        },
    )


def _rectification_rows(
    db: Session, actor: Actor, year: int, subject: int | None
) -> list[tuple[str, rect_queries.SubjectTotals]]:
    """F8: problems found and rectified this year, by what raised them, then the total."""
    out = []
    for kind, label in [*SourceKind.labels().items(), ("", "合计")]:
        rows = rect_queries.totals_by_subject(db, actor=actor, year=year, source_kind=kind)
        rows = [r for r in rows if subject is None or r.subject_id == subject]
        out.append((label, rect_queries.region_totals(rows)))
    return out


@router.get("/oversight/dashboard.xlsx")
def dashboard_xlsx(
    year: OptYear = None,
    subject: OptIdQuery = None,
    actor: Actor = Depends(require(Permission.DASHBOARD_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Every table of the dashboard as .xlsx."""
    board = _board(db, actor, year, subject)
    sections, outcomes = dashboard_cases.extras(db, actor=actor, board=board)
    extra = [*sections.sheets(), ("结果指标", outcomes.sheet())]
    return Response(
        dashboard.workbook(board, extra),
        media_type=XLSX,
        headers={
            "Content-Disposition": "attachment; filename=dashboard-"
            + f"{board.year}{f'-subject-{subject}' if subject else ''}.xlsx"
        },
    )


@router.get("/oversight/indicator/{name}", response_class=HTMLResponse)
def indicator_page(
    request: Request,
    name: str,
    year: OptYear = None,
    subject: OptIdQuery = None,
    month: int | None = Query(None, ge=1, le=12),
    enterprise: OptLongIdQuery = None,
    until: dt.date | None = None,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.DASHBOARD_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The inspections behind one figure of the dashboard (``until``: same period last year)."""
    year = year or local_today().year
    found = drill_down.indicator_tasks(
        db,
        actor=actor,
        name=name,
        year=year,
        subject_id=subject,
        month=month,
        enterprise_id=enterprise,
        until=until,
        page=page,
    )
    return render(
        request,
        "oversight/indicator.html",
        {
            **found.context(),
            "name": name,
            "label": dashboard.INDICATORS[name],
            "year": year,
            "month": month,
            "until": until,
            "origins": ORIGINS,
            "methods": METHODS,
            "outcomes": OUTCOMES,
            "subject": engine.subject_names(db, [subject]).get(subject or 0, ""),
        },
    )
