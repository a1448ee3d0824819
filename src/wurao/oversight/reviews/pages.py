"""Review pages: the plans (list, new, one plan with its sample and the draw's verification),
one file's review form (checklist, automatic suggestions, problems and their rectification
status) and the totals per subject with their .xlsx export."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.time import local_today
from wurao.oversight.rectification import service as rectification
from wurao.oversight.rectification.statuses import RECT_LIFECYCLE, SourceKind
from wurao.oversight.reviews import draw, queries, service, totals
from wurao.oversight.reviews.checklist import checklist
from wurao.oversight.reviews.models import ReviewFile, ReviewPlan, ReviewProblem
from wurao.oversight.reviews.statuses import (
    PLAN_LIFECYCLE,
    FileKind,
    FileStatus,
    Grade,
    PlanStatus,
    Result,
)
from wurao.sampling import algorithm
from wurao.web.deps import TxRoute, form_fields, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm, form_int
from wurao.web.params import MAX_COUNT, MAX_LIST, BodyId, Id, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


class PlanForm(PageForm):
    """新建评查方案."""

    title: Annotated[str, Text(200, "方案名称")] = ""
    file_kind: Annotated[str, Text(20, "案卷类型")] = ""
    period_from: dt.date | None = Field(None, title="评查期间（起）")
    period_to: dt.date | None = Field(None, title="评查期间（止）")
    sample_size: int | None = Field(None, ge=0, le=MAX_COUNT, title="抽取数量")
    sample_rate: Annotated[str, Text(8, "抽取比例")] = ""
    focus: Annotated[str, Text(2000, "月度评查重点")] = ""
    subject_ids: list[BodyId] = Field(default_factory=list, max_length=MAX_LIST, title="评查范围")


class AssignForm(PageForm):
    """分配评查人员."""

    reviewer_ids: list[BodyId] = Field(default_factory=list, max_length=MAX_LIST, title="评查人员")


class ScoreForm(PageForm):
    """The score form's fixed fields (the checklist's fields are read by name)."""

    comment: Annotated[str, Text(2000, "评查意见")] = ""
    final: bool = False


class ProblemForm(PageForm):
    """记录问题."""

    item_code: Annotated[str, Text(20, "评查项目")] = ""
    problem_text: Annotated[str, Text(2000, "发现的问题")] = ""


def labels() -> dict[str, Any]:
    """The Chinese labels every review template reads."""
    return {
        "file_kinds": FileKind.labels(),
        "plan_statuses": PlanStatus.labels(),
        "file_statuses": FileStatus.labels(),
        "grades": Grade.labels(),
        "results": Result.labels(),
        "rect_statuses": RECT_LIFECYCLE.labels(),
        "today": local_today(),
    }


def _year(raw: str) -> int | None:
    year = form_int(raw, "year")
    if year is not None and not 2000 <= year <= 2100:
        raise InvalidInput("年度应在2000至2100之间。", field="year")
    return year


def _str(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.get("/oversight/reviews", response_class=HTMLResponse)
def plans_page(
    request: Request,
    status: Annotated[str, Text(12, "状态")] = "",
    year: Annotated[str, Text(4, "年度")] = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.REVIEWS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The region's review plans, by status and year."""
    found = queries.list_plans(db, actor=actor, status=status, year=_year(year), page=page)
    context = {**found.context("plans"), "status": status, "year": year, **labels()}
    return render(request, "reviews/plans.html", context)


@router.get("/oversight/reviews/new", response_class=HTMLResponse)
def new_page(
    request: Request,
    actor: Actor = Depends(require(Permission.REVIEWS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form of a new review plan."""
    context = {"subjects": queries.region_subjects(db, actor=actor), **labels()}
    return render(request, "reviews/plan_new.html", context)


@router.post("/oversight/reviews/new", response_class=HTMLResponse)
def create(
    request: Request,
    form: Annotated[PlanForm, Form()],
    actor: Actor = Depends(require(Permission.REVIEWS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Create the draft plan (refused: the form again, input kept, the error beside its field)."""
    plan = service.create_plan(db, actor=actor, data=service.PlanInput(**form.model_dump()))
    flash(request, "评查方案已保存，可以抽取案卷。")
    return RedirectResponse(f"/oversight/reviews/{plan.id}", status_code=303)


@router.get("/oversight/reviews/totals", response_class=HTMLResponse)
def totals_page(
    request: Request,
    year: Annotated[str, Text(4, "年度")] = "",
    actor: Actor = Depends(require(Permission.REVIEWS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Totals per subject for a year: files reviewed, average score, problems, rectified."""
    chosen = _year(year) or local_today().year
    rows = totals.review_totals(db, region_code=actor.region_code, year=chosen)
    context = {"rows": rows, "sum": totals.sum_line(rows), "year": chosen, **labels()}
    return render(request, "reviews/totals.html", context)


@router.get("/oversight/reviews/totals.xlsx")
def totals_xlsx(
    year: Annotated[str, Text(4, "年度")] = "",
    actor: Actor = Depends(require(Permission.REVIEWS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The totals as .xlsx (subject names written as text, never as a formula)."""
    chosen = _year(year) or local_today().year
    rows = totals.review_totals(db, region_code=actor.region_code, year=chosen)
    return Response(
        totals.xlsx(rows, chosen),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename=reviews-{chosen}.xlsx"},
    )


def _detail(request: Request, db: Session, actor: Actor, plan: ReviewPlan) -> Response:
    files = queries.files_of(db, plan)
    frozen = json.loads(plan.frozen_json) if plan.frozen_json else None
    manage = service.may_manage(actor, plan)
    context = {
        "plan": plan,
        "files": files,
        "scope": queries.scope_of(db, plan),
        "frozen": frozen,
        "manage": manage,
        "reviewers": queries.reviewers(db, plan) if manage else [],
        "can": {a: manage and PLAN_LIFECYCLE.can(plan, a) for a in ("draw", "assign", "finish")},
        "scored": sum(1 for r in files if r.file.status == FileStatus.SCORED),
        "status_label": PLAN_LIFECYCLE.label(plan.status),
        **labels(),
    }
    return render(request, "reviews/plan_detail.html", context)


@router.get("/oversight/reviews/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request,
    plan_id: Id,
    actor: Actor = Depends(require(Permission.REVIEWS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One plan: scope, the drawn sample, its verification and the actions open."""
    return _detail(request, db, actor, queries.get_plan(db, actor=actor, plan_id=plan_id))


@router.get("/oversight/reviews/{plan_id}/verify", response_class=HTMLResponse)
def verify_page(
    request: Request,
    plan_id: Id,
    actor: Actor = Depends(require(Permission.REVIEWS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The draw recomputed from its published artefacts and pool file, check by check."""
    plan = queries.get_plan(db, actor=actor, plan_id=plan_id)
    verdict = None
    if plan.frozen_json:
        found = draw.artefacts(plan, queries.plan_files(db, plan))
        verdict = algorithm.verify(found, plan.pool_file.encode("utf-8"))
    context = {"plan": plan, "verdict": verdict, **labels()}
    return render(request, "reviews/verify.html", context)


@router.get("/oversight/reviews/{plan_id}/pool.csv")
def pool_csv(
    plan_id: Id,
    actor: Actor = Depends(require(Permission.REVIEWS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The frozen pool file, byte for byte as hashed."""
    plan = queries.get_plan(db, actor=actor, plan_id=plan_id)
    return Response(
        plan.pool_file.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename=review-{plan.id}-pool.csv"},
    )


@router.post("/oversight/reviews/{plan_id}/draw", response_class=HTMLResponse)
def draw_post(
    request: Request,
    plan_id: Id,
    actor: Actor = Depends(require(Permission.REVIEWS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Draw the sample and run the automatic checks; a refusal (no file in the period) comes
    back on the plan page, which says why and keeps the plan as it was."""
    plan = queries.get_plan(db, actor=actor, plan_id=plan_id)
    rows = service.draw_plan(db, plan=plan, actor=actor)
    flash(request, f"已抽取 {len(rows)} 份案卷，自动检查已完成。")
    return RedirectResponse(f"/oversight/reviews/{plan.id}", status_code=303)


@router.post("/oversight/reviews/{plan_id}/assign", response_class=HTMLResponse)
def assign_post(
    request: Request,
    plan_id: Id,
    form: Annotated[AssignForm, Form()],
    actor: Actor = Depends(require(Permission.REVIEWS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Share the unscored files among the chosen reviewers."""
    plan = queries.get_plan(db, actor=actor, plan_id=plan_id)
    service.assign_reviewers(db, plan=plan, actor=actor, reviewer_ids=form.reviewer_ids)
    flash(request, "评查人员已分配。")
    return RedirectResponse(f"/oversight/reviews/{plan.id}", status_code=303)


@router.post("/oversight/reviews/{plan_id}/finish", response_class=HTMLResponse)
def finish_post(
    request: Request,
    plan_id: Id,
    actor: Actor = Depends(require(Permission.REVIEWS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Finish the plan (every file scored)."""
    plan = queries.get_plan(db, actor=actor, plan_id=plan_id)
    service.finish_plan(db, plan=plan, actor=actor)
    flash(request, "案卷评查已完成。")
    return RedirectResponse(f"/oversight/reviews/{plan.id}", status_code=303)


# --- one file --------------------------------------------------------------------------------


def _file_page(
    request: Request,
    db: Session,
    actor: Actor,
    review_file: ReviewFile,
    plan: ReviewPlan,
) -> Response:
    problems = queries.problems_of(db, review_file)
    items = rectification.items_of(
        db, source_kind=SourceKind.REVIEW.value, source_ids=[p.id for p in problems]
    )
    names = service.reviewer_names(db, [i for i in (review_file.reviewer_id,) if i])
    context = {
        "plan": plan,
        "file": review_file,
        "entries": checklist().of(plan.file_kind),
        "items": queries.items_of(db, review_file),
        "problems": [(p, items.get(p.id, [])) for p in problems],
        "reviewer_name": names.get(review_file.reviewer_id or 0, ""),
        "may_score": service.may_score(actor, plan, review_file)
        and PLAN_LIFECYCLE.can(plan, "score")
        and review_file.status == FileStatus.PENDING,
        **labels(),
    }
    return render(request, "reviews/file.html", context)


@router.get("/oversight/reviews/files/{file_id}", response_class=HTMLResponse)
def file_page(
    request: Request,
    file_id: Id,
    actor: Actor = Depends(require(Permission.REVIEWS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One drawn file: the checklist with the automatic suggestions, the score, the problems."""
    review_file, plan = queries.get_file(db, actor=actor, file_id=file_id)
    return _file_page(request, db, actor, review_file, plan)


@router.get("/oversight/reviews/problems/{problem_id}")
def problem_page(
    problem_id: Id,
    actor: Actor = Depends(require(Permission.REVIEWS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """A review problem (a rectification item's source) opens on its file's page."""
    problem = db.get(ReviewProblem, problem_id)
    if problem is None:
        raise NotFound("评查问题不存在。")
    review_file, _ = queries.get_file(db, actor=actor, file_id=problem.file_id)
    return RedirectResponse(f"/oversight/reviews/files/{review_file.id}#problems", status_code=303)


@router.post("/oversight/reviews/files/{file_id}/score", response_class=HTMLResponse)
def score_post(
    request: Request,
    file_id: Id,
    form: Annotated[ScoreForm, Form()],
    fields: FormData = Depends(form_fields),
    actor: Actor = Depends(require(Permission.REVIEWS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Save the reviewer's results, or fix the score (``final``). The checklist's fields
    (``result_``, ``deduct_``, ``note_`` and the item's code) depend on the plan's file kind,
    so they are read from the form by name; a refusal names the item's own field."""
    review_file, plan = queries.get_file(db, actor=actor, file_id=file_id)
    entries = {}
    for entry in checklist().of(plan.file_kind):
        deduct = form_int(_str(fields, f"deduct_{entry.code}"), f"deduct_{entry.code}")
        entries[entry.code] = service.ItemEntry(
            result=_str(fields, f"result_{entry.code}"),
            deduction=deduct if deduct is not None else entry.points,
            note=_str(fields, f"note_{entry.code}"),
        )
    service.save_scores(
        db, plan=plan, review_file=review_file, actor=actor, entries=entries,
        comment=form.comment, final=form.final,
    )  # fmt: skip
    flash(request, f"已确定评分：{review_file.score} 分。" if form.final else "评分已保存。")
    return RedirectResponse(f"/oversight/reviews/files/{review_file.id}", status_code=303)


@router.post("/oversight/reviews/files/{file_id}/problems", response_class=HTMLResponse)
def problem_post(
    request: Request,
    file_id: Id,
    form: Annotated[ProblemForm, Form()],
    actor: Actor = Depends(require(Permission.REVIEWS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Record a problem found in the file."""
    review_file, plan = queries.get_file(db, actor=actor, file_id=file_id)
    service.add_problem(
        db, plan=plan, review_file=review_file, actor=actor, item_code=form.item_code,
        text=form.problem_text,
    )  # fmt: skip
    flash(request, "问题已记录，确定评分时交执法主体整改。")
    return RedirectResponse(f"/oversight/reviews/files/{review_file.id}#problems", status_code=303)
