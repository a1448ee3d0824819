"""Planning pages: plans, special inspections and unplanned approvals.

The joint candidates (/plans/joint) are in ``wurao.joint.pages``, the public portal (/public/)
in ``wurao.reports.pages``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput
from wurao.core.time import local_today
from wurao.planning import coverage, lines, service, steps
from wurao.planning import page_forms as forms
from wurao.planning import special as special_service
from wurao.planning import unplanned as unplanned_service
from wurao.registry import service as registry
from wurao.registry.enterprises.service import get_by_uscc
from wurao.registry.items.methods import METHODS
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import form_year
from wurao.web.params import Id, PageNo
from wurao.web.templating import flash, render

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
    form: Annotated[forms.PlanForm, Form()],
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Start a draft plan."""
    plan = steps.create_plan(db, actor=actor, year=form.year, title=form.title)
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
    form: Annotated[forms.EntryForm, Form()],
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
    form: Annotated[forms.PlanStepForm, Form()],
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """The subject's next step: submit, approve, send back, publish, file or amend."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    step, comment = form.step, form.comment
    if step == "submit":
        steps.submit_plan(db, plan=plan, actor=actor)
        message = "已提交，待单位负责人批准。"
    elif step == "approve":
        steps.approve_plan(db, plan=plan, actor=actor, head_name=form.head_name, comment=comment)
        message = f"已记录负责人{plan.approved_by}的批准。"
    elif step == "send_back":
        steps.send_back(db, plan=plan, actor=actor, comment=comment)
        message = "已退回修改。"
    elif step == "publish":
        steps.publish_plan(db, plan=plan, actor=actor, on=form.published_on)
        message = "计划已向社会公布。"
    elif step == "file":
        steps.file_plan(db, plan=plan, actor=actor)
        message = "已报监督机构备案。"
    elif step == "amend":
        new = steps.amend_plan(db, plan=plan, actor=actor, reason=form.reason)
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
    form: Annotated[forms.FilingReviewForm, Form()],
    actor: Actor = Depends(require(Permission.PLANS_REVIEW_FILING)),
    db: Session = Depends(get_db),
) -> Response:
    """The supervisor accepts or returns a filing."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    accept = form.decision == "accept"
    steps.review_filing(db, plan=plan, actor=actor, accept=accept, comment=form.comment)
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
    form: Annotated[forms.SpecialForm, Form()],
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Draft a special inspection from the form."""
    data = special_service.SpecialData(
        year=form.year,
        title=form.title,
        necessity=form.necessity,
        scope=form.scope,
        start_on=form.start_on,
        end_on=form.end_on,
        item_ids=list(form.item_ids),
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
    form: Annotated[forms.LegalReviewForm, Form()],
    actor: Actor = Depends(require(Permission.SPECIAL_LEGAL_REVIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """法制审核 from the form."""
    special = special_service.get_special(db, actor=actor, special_id=special_id)
    passed = form.decision == "pass"
    special_service.legal_review_special(
        db, special=special, actor=actor, passed=passed, opinion=form.opinion
    )
    flash(request, "已记录法制审核意见。")
    return _go(f"/special/{special.id}")


@router.post("/special/{special_id}/step", response_class=HTMLResponse)
def special_step(
    request: Request,
    special_id: Id,
    form: Annotated[forms.SpecialStepForm, Form()],
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """The lead subject's next step: discussion, approval, publication or filing."""
    special = special_service.get_special(db, actor=actor, special_id=special_id)
    step = form.step
    if step == "discuss":
        day = form.discussion_on or local_today()
        special_service.record_discussion(
            db, special=special, actor=actor, on=day, record=form.record
        )
    elif step == "approve":
        special_service.record_special_approval(
            db,
            special=special,
            actor=actor,
            organ=form.organ,
            ref=form.approval_ref,
            on=form.approved_on or local_today(),
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
    form: Annotated[forms.UnplannedForm, Form()],
    actor: Actor = Depends(require(Permission.UNPLANNED_REQUEST)),
    db: Session = Depends(get_db),
) -> Response:
    """Ask for the head's approval of an inspection outside any plan."""
    enterprise = get_by_uscc(db, actor=actor, uscc=form.uscc)
    unplanned_service.request_unplanned(
        db,
        actor=actor,
        enterprise=enterprise,
        reason=form.reason,
        key_area=form.key_area,
        valid_until=form.valid_until,
    )
    flash(request, "已提交，待单位负责人审批。")
    return _go("/unplanned")


@router.post("/unplanned/{approval_id}/decision", response_class=HTMLResponse)
def decide_unplanned(
    request: Request,
    approval_id: Id,
    form: Annotated[forms.UnplannedDecisionForm, Form()],
    actor: Actor = Depends(require(Permission.UNPLANNED_APPROVE)),
    db: Session = Depends(get_db),
) -> Response:
    """Record the head's decision."""
    row = unplanned_service.get_unplanned(db, actor=actor, approval_id=approval_id)
    approve = form.decision == "approve"
    unplanned_service.decide_unplanned(
        db,
        approval=row,
        actor=actor,
        approve=approve,
        head_name=form.head_name,
        comment=form.comment,
    )
    flash(request, "已批准并报监督机构备案。" if approve else "已记录不予批准。")
    return _go("/unplanned")
