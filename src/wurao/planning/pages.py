"""Planning pages: plans, special inspections and unplanned approvals.

The joint candidates (/plans/joint) are in ``wurao.joint.pages``, the public portal (/public/)
in ``wurao.reports.pages``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput
from wurao.core.text import LONG_TEXT, NOTE
from wurao.core.time import local_today
from wurao.planning import coverage, lines, service, steps
from wurao.planning import special as special_service
from wurao.planning import unplanned as unplanned_service
from wurao.registry import service as registry
from wurao.registry.enterprises.service import get_by_uscc
from wurao.registry.items.methods import METHODS
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm, form_date, form_year, required_int
from wurao.web.params import MAX_COUNT, MAX_ID, Id, PageNo, Text
from wurao.web.templating import flash, render


class EntryForm(PageForm):
    """添加检查内容: one line of a draft plan."""

    item_id: int = Field(ge=1, le=MAX_ID, title="检查事项")
    method: Annotated[str, Text(10, "检查方式")] = "onsite"
    selection: Annotated[str, Text(10, "对象确定方式")] = "dss"
    scope_region: Annotated[str, Text(12, "范围区划")] = ""
    scope_industry: Annotated[str, Text(5, "行业")] = ""
    scope_credit: Annotated[str, Text(8, "信用风险分类")] = ""
    scope_tag: Annotated[str, Text(40, "标签")] = ""
    planned_count: int = Field(0, ge=0, le=MAX_COUNT, title="计划户数")
    months: Annotated[str, Text(40, "实施月份")] = ""
    officers_per_team: int = Field(2, ge=0, le=MAX_COUNT, title="每组执法人员数")
    targets: Annotated[str, Text(LONG_TEXT, "定向检查对象")] = ""
    note: Annotated[str, Text(NOTE, "备注")] = ""


router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


def _labels() -> dict[str, Any]:
    return {
        "status_labels": service.STATUS_LABELS,
        "filing_labels": service.FILING_LABELS,
        "methods": METHODS,
        "selections": service.SELECTIONS,
        "special_labels": special_service.SPECIAL_LABELS,
        "unplanned_labels": unplanned_service.UNPLANNED_LABELS,
    }


def _year(value: str) -> int | None:
    return form_year(value) if value else None


def _go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


# --- plans ------------------------------------------------------------------------------


@router.get("/plans", response_class=HTMLResponse)
def plans_page(
    request: Request,
    year: str = "",
    status: str = "",
    q: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Plans the caller may see, filterable and paginated."""
    found = service.list_plans(db, actor=actor, year=_year(year), status=status, q=q, page=page)
    return render(
        request,
        "planning/plans.html",
        {
            **found.context("plans"),
            "names": registry.subject_names(db, {p.subject_id for p in found.items}),
            "filters": {"year": year, "status": status, "q": q},
            "this_year": local_today().year,
            **_labels(),
        },
    )


@router.post("/plans", response_class=HTMLResponse)
def create_plan(
    request: Request,
    year: Annotated[str, Form(), Text(10, "年度")] = "",
    title: Annotated[str, Form(), Text(200, "计划名称")] = "",
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Start a draft plan."""
    plan = steps.create_plan(db, actor=actor, year=required_int(year, "year"), title=title)
    flash(request, f"已创建“{plan.title}”草稿，请逐行填写检查内容。")
    return _go(f"/plans/{plan.id}")


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request,
    plan_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One plan: its lines, its history and the next step for the caller's role."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    entries = service.entries_of(db, plan)
    subject = service.subject_of(db, plan)
    own = service.may_edit_plan(actor, plan)
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "subject": subject,
            "entries": entries,
            "counts": service.target_counts(db, entries),
            "items": service.item_names(db, {e.item_id for e in entries}),
            "versions": service.versions_of(db, plan),
            "own": own,
            "may_task": coverage.may_create_task_from(actor, plan),
            "can_review": service.may_review_filing(actor, subject)
            and service.PLAN_LIFECYCLE.can(plan, "accept_filing"),
            "choices": service.plannable_items(db, actor=actor, subject=subject) if own else [],
            "months_of": service.months_of,
            **_labels(),
        },
    )


@router.post("/plans/{plan_id}/entries", response_class=HTMLResponse)
def add_entry(
    request: Request,
    plan_id: Id,
    form: Annotated[EntryForm, Form()],
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Add a line to a draft plan from the form (refused: the plan page again, input kept)."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    target_ids = lines.enterprise_ids_by_uscc(
        db, actor=actor, usccs=form.targets.replace(",", "\n").replace("，", "\n").splitlines()
    )
    data = lines.EntryData(
        item_id=form.item_id,
        method=form.method,
        selection=form.selection,
        scope_region=form.scope_region,
        scope_industry=form.scope_industry,
        scope_credit=form.scope_credit,
        scope_tag=form.scope_tag,
        planned_count=form.planned_count,
        months=service.parse_months(form.months),
        officers_per_team=form.officers_per_team,
        note=form.note,
        target_ids=target_ids,
    )
    lines.add_entry(db, plan=plan, data=data, actor=actor)
    flash(request, "已添加一行检查内容。")
    return _go(f"/plans/{plan.id}")


@router.post("/plans/{plan_id}/entries/{entry_id}/delete", response_class=HTMLResponse)
def remove_entry(
    request: Request,
    plan_id: Id,
    entry_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Delete a line of a draft plan."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    lines.remove_entry(db, plan=plan, entry_id=entry_id, actor=actor)
    flash(request, "已删除该行。")
    return _go(f"/plans/{plan.id}")


@router.post("/plans/{plan_id}/step", response_class=HTMLResponse)
def plan_step(
    request: Request,
    plan_id: Id,
    step: Annotated[str, Form(), Text(20, "步骤")] = "",
    head_name: Annotated[str, Form(), Text(60, "负责人")] = "",
    comment: Annotated[str, Form(), Text(NOTE, "意见")] = "",
    reason: Annotated[str, Form(), Text(NOTE, "理由")] = "",
    published_on: Annotated[str, Form(), Text(20, "公布日期")] = "",
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """The subject's next step: submit, approve, send back, publish, file or amend."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    if step == "submit":
        steps.submit_plan(db, plan=plan, actor=actor)
        message = "已提交，待单位负责人批准。"
    elif step == "approve":
        steps.approve_plan(db, plan=plan, actor=actor, head_name=head_name, comment=comment)
        message = f"已记录负责人{plan.approved_by}的批准。"
    elif step == "send_back":
        steps.send_back(db, plan=plan, actor=actor, comment=comment)
        message = "已退回修改。"
    elif step == "publish":
        on = form_date(published_on, "published_on")
        steps.publish_plan(db, plan=plan, actor=actor, on=on)
        message = "计划已向社会公布。"
    elif step == "file":
        steps.file_plan(db, plan=plan, actor=actor)
        message = "已报监督机构备案。"
    elif step == "amend":
        new = steps.amend_plan(db, plan=plan, actor=actor, reason=reason)
        flash(request, f"已创建第{new.version}版草稿；公布后替代第{plan.version}版。")
        return _go(f"/plans/{new.id}")
    else:
        raise InvalidInput("未知操作。", field="step")
    flash(request, message)
    return _go(f"/plans/{plan.id}")


@router.post("/plans/{plan_id}/review", response_class=HTMLResponse)
def review_filing(
    request: Request,
    plan_id: Id,
    decision: Annotated[str, Form(), Text(20, "决定")] = "",
    comment: Annotated[str, Form(), Text(NOTE, "意见")] = "",
    actor: Actor = Depends(require(Permission.PLANS_REVIEW_FILING)),
    db: Session = Depends(get_db),
) -> Response:
    """The supervisor accepts or returns a filing."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    accept = decision == "accept"
    steps.review_filing(db, plan=plan, actor=actor, accept=accept, comment=comment)
    flash(request, "备案已通过。" if accept else "已退回，意见已送达执法主体。")
    return _go(f"/plans/{plan.id}")


# --- special inspections ----------------------------------------------------------------


@router.get("/special", response_class=HTMLResponse)
def specials_page(
    request: Request,
    year: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Special inspections, with the form to start one and this year's quota."""
    found = special_service.list_specials(db, actor=actor, year=_year(year), page=page)
    quota = None
    choices = []
    if actor.can(Permission.PLANS_EDIT) and actor.subject_id is not None:
        subject = service.actor_subject(db, actor)
        if subject is not None:
            quota = special_service.special_quota(db, subject=subject, year=local_today().year)
        choices = service.plannable_items(db, actor=actor)
    return render(
        request,
        "planning/special.html",
        {
            **found.context("specials"),
            "names": registry.subject_names(db, {s.subject_id for s in found.items}),
            "year": year,
            "quota": quota,
            "choices": choices,
            "today": local_today(),
            **_labels(),
        },
    )


@router.post("/special", response_class=HTMLResponse)
def create_special(
    request: Request,
    year: Annotated[str, Form(), Text(10, "年度")] = "",
    title: Annotated[str, Form(), Text(200, "专项检查名称")] = "",
    necessity: Annotated[str, Form(), Text(LONG_TEXT, "必要性评估")] = "",
    scope: Annotated[str, Form(), Text(LONG_TEXT, "检查范围")] = "",
    start_on: Annotated[str, Form(), Text(20, "开始日期")] = "",
    end_on: Annotated[str, Form(), Text(20, "结束日期")] = "",
    item_ids: list[Annotated[str, Text(20, "检查事项")]] = Form(default_factory=list),
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Draft a special inspection from the form."""
    data = special_service.SpecialData(
        year=required_int(year, "year"),
        title=title,
        necessity=necessity,
        scope=scope,
        start_on=form_date(start_on, "start_on"),
        end_on=form_date(end_on, "end_on"),
        item_ids=[required_int(i, "item_ids") for i in item_ids],
    )
    special = special_service.create_special(db, actor=actor, data=data)
    flash(request, "已起草专项检查，下一步：法制审核。")
    return _go(f"/special/{special.id}")


@router.get("/special/{special_id}", response_class=HTMLResponse)
def special_page(
    request: Request,
    special_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One special inspection and its next step."""
    special = special_service.get_special(db, actor=actor, special_id=special_id)
    return render(
        request,
        "planning/special_detail.html",
        {
            "special": special,
            "subject_name": registry.subject_names(db, {special.subject_id}).get(
                special.subject_id, ""
            ),
            "items": special_service.special_items(db, special),
            "partners": special_service.special_partners(db, special),
            "own": special_service.may_edit_special(actor, special),
            "reviewer": special_service.may_review_special(actor, special),
            "today": local_today(),
            **_labels(),
        },
    )


@router.post("/special/{special_id}/legal-review", response_class=HTMLResponse)
def special_legal_review(
    request: Request,
    special_id: Id,
    decision: Annotated[str, Form(), Text(20, "决定")] = "",
    opinion: Annotated[str, Form(), Text(LONG_TEXT, "法制审核意见")] = "",
    actor: Actor = Depends(require(Permission.SPECIAL_LEGAL_REVIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """法制审核 from the form."""
    special = special_service.get_special(db, actor=actor, special_id=special_id)
    special_service.legal_review_special(
        db, special=special, actor=actor, passed=decision == "pass", opinion=opinion
    )
    flash(request, "已记录法制审核意见。")
    return _go(f"/special/{special.id}")


@router.post("/special/{special_id}/step", response_class=HTMLResponse)
def special_step(
    request: Request,
    special_id: Id,
    step: Annotated[str, Form(), Text(20, "步骤")] = "",
    on: Annotated[str, Form(), Text(20, "日期")] = "",
    record: Annotated[str, Form(), Text(LONG_TEXT, "集体讨论记录")] = "",
    organ: Annotated[str, Form(), Text(120, "批准机关")] = "",
    ref: Annotated[str, Form(), Text(120, "批准文号")] = "",
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """The lead subject's next step: discussion, approval, publication or filing."""
    special = special_service.get_special(db, actor=actor, special_id=special_id)
    day = form_date(on, "on") or local_today()
    if step == "discuss":
        special_service.record_discussion(db, special=special, actor=actor, on=day, record=record)
    elif step == "approve":
        special_service.record_special_approval(
            db, special=special, actor=actor, organ=organ, ref=ref, on=day
        )
    elif step == "publish":
        special_service.publish_special(db, special=special, actor=actor)
    elif step == "file":
        special_service.file_special(db, special=special, actor=actor)
    else:
        raise InvalidInput("未知操作。", field="step")
    flash(request, f"已办理：{special_service.special_label(special.status)}。")
    return _go(f"/special/{special.id}")


# --- unplanned inspections --------------------------------------------------------------


@router.get("/unplanned", response_class=HTMLResponse)
def unplanned_page(
    request: Request,
    status: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Unplanned-inspection requests and approvals."""
    found = unplanned_service.list_unplanned(db, actor=actor, status=status, page=page)
    rows = found.items
    return render(
        request,
        "planning/unplanned.html",
        {
            "names": registry.subject_names(db, {r.subject_id for r in rows}),
            "enterprises": service.enterprise_names(db, {r.enterprise_id for r in rows}),
            **found.context(),
            "status": status,
            # the rows whose decision form is shown: the service's own predicate, so the
            # system administrator is offered what decide_unplanned accepts from them
            "deciding": {
                r.id
                for r in rows
                if r.status == "requested" and unplanned_service.may_decide_unplanned(actor, r)
            },
            "valid_days": unplanned_service.default_valid_days(actor.region_code, local_today()),
            **_labels(),
        },
    )


@router.post("/unplanned", response_class=HTMLResponse)
def request_unplanned(
    request: Request,
    uscc: Annotated[str, Form(), Text(40, "统一社会信用代码")] = "",
    reason: Annotated[str, Form(), Text(NOTE, "理由")] = "",
    key_area: Annotated[str, Form(), Text(10, "重点领域")] = "",
    valid_until: Annotated[str, Form(), Text(20, "有效期至")] = "",
    actor: Actor = Depends(require(Permission.UNPLANNED_REQUEST)),
    db: Session = Depends(get_db),
) -> Response:
    """Ask for the head's approval of an inspection outside any plan."""
    enterprise = get_by_uscc(db, actor=actor, uscc=uscc)
    unplanned_service.request_unplanned(
        db,
        actor=actor,
        enterprise=enterprise,
        reason=reason,
        key_area=key_area in ("1", "on"),
        valid_until=form_date(valid_until, "valid_until"),
    )
    flash(request, "已提交，待单位负责人审批。")
    return _go("/unplanned")


@router.post("/unplanned/{approval_id}/decision", response_class=HTMLResponse)
def decide_unplanned(
    request: Request,
    approval_id: Id,
    decision: Annotated[str, Form(), Text(20, "决定")] = "",
    head_name: Annotated[str, Form(), Text(60, "负责人")] = "",
    comment: Annotated[str, Form(), Text(NOTE, "意见")] = "",
    actor: Actor = Depends(require(Permission.UNPLANNED_APPROVE)),
    db: Session = Depends(get_db),
) -> Response:
    """Record the head's decision."""
    row = unplanned_service.get_unplanned(db, actor=actor, approval_id=approval_id)
    approve = decision == "approve"
    unplanned_service.decide_unplanned(
        db, approval=row, actor=actor, approve=approve, head_name=head_name, comment=comment
    )
    flash(request, "已批准并报监督机构备案。" if approve else "已记录不予批准。")
    return _go("/unplanned")
