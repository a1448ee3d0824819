"""双随机 pages: define, freeze, draw, results and their publication; the public portal."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput, RuleViolation
from wurao.core.paging import LONG_PER_PAGE, Page, paginate_list
from wurao.core.time import local_today
from wurao.registry.items.methods import METHODS
from wurao.sampling import (
    algorithm,
    artefacts,
    conflicts,
    draw_forms,
    feasibility,
    freeze,
    results,
    run,
    service,
)
from wurao.sampling.models import Draw
from wurao.sampling.statuses import DRAW_LIFECYCLE
from wurao.web.deps import TxRoute, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.params import MAX_ID, Id, LongId, PageNo
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


def _labels() -> dict[str, object]:
    return {"states": service.STATES, "methods": METHODS, "outcomes": results.OUTCOMES}


def _plan(draw: Draw, counts: dict[str, int]) -> list[dict[str, Any]]:
    """Per stratum: candidates, ratio and how many will be drawn."""
    try:
        ratios = service.ratios_for(draw.region_code, draw.draw_date)
    except InvalidInput:  # no ratio in force: the page shows "未规定"
        ratios = {}
    if draw.frozen_json:
        ratios = json.loads(draw.frozen_json)["ratios"]
    return [
        {"stratum": c, "n": n, "ratio": ratios.get(c, ""),
         "k": algorithm.quota(ratios[c], n) if c in ratios else 0}
        for c, n in counts.items()
    ]  # fmt: skip


def _slice(rows: list[Any] | None, page: int) -> Page[Any]:
    """One page of the published selection or teams (``sp`` in the URL)."""
    return paginate_list(rows or [], page, LONG_PER_PAGE)


def _strata(art: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {d["uscc"]: d for d in (art or {}).get("selection") or []}


@router.get("/draws", response_class=HTMLResponse)
def draws_page(
    request: Request,
    status: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Draws the caller may see."""
    found = service.list_draws(db, actor=actor, status=status, page=page)
    return render(request, "sampling/draws.html", {
        **found.context("draws"), "status": status, **_labels(),
    })  # fmt: skip


@router.get("/draws/new", response_class=HTMLResponse)
def new_draw_page(
    request: Request,
    from_id: Annotated[int | None, Query(alias="from", ge=1, le=MAX_ID)] = None,
    actor: Actor = Depends(require(Permission.DRAWS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form to define a draw; ``?from=ID`` fills it with a draft's definition to change
    (a refused definition comes back here with what was typed, web/form_state.py)."""
    if from_id is not None:
        values = service.definition_of(db, service.get_draw(db, actor=actor, draw_id=from_id))
    else:
        values = {
            "subject_ids": [str(actor.subject_id)] if actor.subject_id else [], "item_ids": [],
            "region_code": actor.region_code, "credit_classes": "ABCD", "exclude_months": "0",
            "draw_date": local_today().isoformat(), "officers_per_subject": "2",
            "officer_cap": "10",
        }  # fmt: skip
    subjects, items = service.form_choices(db, actor=actor)
    return render(request, "sampling/draw_form.html", {
        "subjects": subjects, "items": items, "form": values, **_labels(),
    })  # fmt: skip


@router.post("/draws", response_class=HTMLResponse)
def create_draw(
    request: Request,
    form: Annotated[draw_forms.DrawForm, Form()],
    actor: Actor = Depends(require(Permission.DRAWS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Define a draw from the form (several subjects and items may be ticked)."""
    data = draw_forms.draw_data(form, actor)
    try:
        if form.replaces is not None:
            old = service.get_draw(db, actor=actor, draw_id=form.replaces)
            draw = service.redefine_draw(db, old=old, data=data, actor=actor)
        else:
            draw = service.create_draw(db, data=data, actor=actor)
    except RuleViolation as exc:
        raise draw_forms.on_its_field(exc) from exc
    flash(request, "已定义抽查。请核对名录库预览和可行性后冻结名录库。")
    return RedirectResponse(f"/draws/{draw.id}", status_code=303)


@router.get("/draws/late", response_class=HTMLResponse)
def late_page(
    request: Request,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.DRAWS_SUPERVISE)),
    db: Session = Depends(get_db),
) -> Response:
    """Finished draw results in the supervisor's region published late or not at all (C6)."""
    found = results.late_results(db, actor=actor, today=local_today(), page=page)
    return render(request, "sampling/late.html", {**found.context(), **_labels()})


@router.get("/draws/conflicts", response_class=HTMLResponse)
def conflicts_page(
    request: Request,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Declared conflicts of interest (回避) and the form to declare one."""
    found = conflicts.list_conflicts(db, actor=actor, page=page)
    mine = {c.id for c, o, _ in found.items if conflicts.may_declare(actor, o.subject_id)}
    return render(request, "sampling/conflicts.html", {
        **found.context(), "may_declare": conflicts.may_declare(actor), "withdrawable": mine,
    })  # fmt: skip


@router.post("/draws/conflicts", response_class=HTMLResponse)
def declare_conflict(
    request: Request,
    form: Annotated[draw_forms.ConflictForm, Form()],
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Record a conflict of interest."""
    officer = conflicts.find_officer(db, actor=actor, cert_no=form.cert_no)
    enterprise = conflicts.find_enterprise(db, uscc=form.uscc)
    conflicts.declare_conflict(
        db, officer=officer, enterprise=enterprise, reason=form.reason, actor=actor
    )
    flash(request, f"已登记：{officer.name}对{enterprise.name}回避，今后抽取时自动排除。")
    return RedirectResponse("/draws/conflicts", status_code=303)


@router.post("/draws/conflicts/{conflict_id}/withdraw", response_class=HTMLResponse)
def withdraw_conflict(
    request: Request,
    conflict_id: Id,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """End a declared conflict (kept on record)."""
    conflict = conflicts.get_conflict(db, conflict_id=conflict_id)
    conflicts.withdraw_conflict(db, conflict=conflict, actor=actor)
    flash(request, "已撤销该回避登记。")
    return RedirectResponse("/draws/conflicts", status_code=303)


def _detail(
    request: Request, db: Session, actor: Actor, draw: Draw, *, page: int = 1, sp: int = 1
) -> Response:
    check = None
    if draw.status == "draft":
        check = freeze.assess_draw(db, draw=draw)
        counts = {s.stratum: s.n for s in check.strata}
    elif draw.frozen_json:
        counts = json.loads(draw.frozen_json)["pool"]["strata"]
    else:
        counts = {}
    found = results.draw_results(db, draw=draw, today=local_today(), page=page)
    art = artefacts.artefacts(draw) if draw.status != "draft" and draw.frozen_json else None
    teams = _slice(art["teams"] if art else None, sp)
    return render(request, "sampling/draw_detail.html", {
        "draw": draw, "subjects": service.subjects_of(db, draw),
        "items": service.items_of(db, draw), "plan": _plan(draw, counts), "check": check,
        "art": art, "teams": teams.items, "strata": _strata(art), "sp": sp,
        "sel_total": teams.total, "sel_pages": teams.pages,
        **found.context("results"), "may_manage": service.may_manage_draw(actor, draw),
        "may_see_salt": artefacts.may_see_salt(actor, draw),
        "fmt": feasibility.fmt, **_labels(),
    })  # fmt: skip


@router.get("/draws/{draw_id}", response_class=HTMLResponse)
def draw_page(
    request: Request,
    draw_id: Id,
    page: PageNo = 1,
    sp: PageNo = 1,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One draw: preview and feasibility, commitment, reveal, selection, teams, tasks, results."""
    draw = service.get_draw(db, actor=actor, draw_id=draw_id)
    return _detail(request, db, actor, draw, page=page, sp=sp)


@router.get("/draws/{draw_id}/verification.zip")
def verification_package(
    draw_id: Id,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The full verification package with the conflict salt (supervisor and lead only)."""
    draw = service.get_draw(db, actor=actor, draw_id=draw_id)
    body = artefacts.verification_package(db, draw=draw, actor=actor)
    name = f"draw-{draw_id}-verification.zip"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(body, media_type="application/zip", headers=headers)


@router.post("/draws/{draw_id}/freeze", response_class=HTMLResponse)
def freeze_draw(
    request: Request,
    draw_id: Id,
    form: Annotated[draw_forms.FreezeForm, Form()],
    actor: Actor = Depends(require(Permission.DRAWS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Freeze the pool and commit to the seed; a load above the threshold needs the ticked
    override and its reason (refused: the draw's page again, the tick and reason kept)."""
    draw = service.get_draw(db, actor=actor, draw_id=draw_id)
    reason = form.override_reason if form.override else ""
    draw = freeze.freeze_draw(db, draw=draw, actor=actor, override_reason=reason)
    flash(request, f"已冻结名录库（{draw.pool_size} 户）并承诺种子；承诺值已在公示页面公开。")
    return RedirectResponse(f"/draws/{draw.id}", status_code=303)


@router.post("/draws/{draw_id}/public-value", response_class=HTMLResponse)
def set_public_value(
    request: Request,
    draw_id: Id,
    form: Annotated[draw_forms.PublicValueForm, Form()],
    actor: Actor = Depends(require(Permission.DRAWS_SUPERVISE)),
    db: Session = Depends(get_db),
) -> Response:
    """The supervisor enters the public random value."""
    draw = service.get_draw(db, actor=actor, draw_id=draw_id)
    freeze.set_public_value(db, draw=draw, value=form.public_value, actor=actor)
    flash(request, "已录入公开随机数。")
    return RedirectResponse(f"/draws/{draw.id}", status_code=303)


@router.post("/draws/{draw_id}/draw", response_class=HTMLResponse)
def run_draw(
    request: Request,
    draw_id: Id,
    form: Annotated[draw_forms.ConfirmForm, Form()],
    actor: Actor = Depends(require(Permission.DRAWS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Reveal the seed and draw; without ``confirm=1`` the answer is the confirmation page
    with how many tasks it creates, not the draw."""
    draw = service.get_draw(db, actor=actor, draw_id=draw_id)
    if form.confirm != "1":
        service.require_lead(actor, draw)
        DRAW_LIFECYCLE.check(draw, "run")
        frozen = json.loads(draw.frozen_json) if draw.frozen_json else None
        threshold = feasibility.threshold_for(draw.region_code, draw.draw_date)
        check = feasibility.from_frozen(frozen, threshold) if frozen else None
        return render(request, "sampling/draw_confirm.html", {
            "draw": draw, "check": check, "fmt": feasibility.fmt,
            "subjects": service.subjects_of(db, draw), **_labels(),
        })  # fmt: skip
    draw = run.run_draw(db, draw=draw, actor=actor)
    flash(request, f"已公开种子并抽取 {draw.tasks_created} 户，检查任务已生成。")
    return RedirectResponse(f"/draws/{draw.id}", status_code=303)


@router.post("/draws/{draw_id}/cancel", response_class=HTMLResponse)
def cancel_draw(
    request: Request,
    draw_id: Id,
    form: Annotated[draw_forms.CancelForm, Form()],
    actor: Actor = Depends(require(Permission.DRAWS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Cancel a draw (kept on record; a committed seed is revealed)."""
    draw = service.get_draw(db, actor=actor, draw_id=draw_id)
    service.cancel_draw(db, draw=draw, reason=form.reason, actor=actor)
    flash(request, "已取消抽查。取消记录和已承诺的种子均公开。", "warn")
    return RedirectResponse(f"/draws/{draw.id}", status_code=303)


@router.post("/draws/{draw_id}/tasks/{task_id}/publish", response_class=HTMLResponse)
def publish_result(
    request: Request,
    draw_id: Id,
    task_id: LongId,
    actor: Actor = Depends(require(Permission.DRAWS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Publish one result (一公开)."""
    draw = service.get_draw(db, actor=actor, draw_id=draw_id)
    task = results.get_draw_task(db, draw=draw, task_id=task_id)
    results.publish_result(db, task=task, actor=actor)
    flash(request, "已公示检查结果。")
    return RedirectResponse(f"/draws/{draw.id}", status_code=303)


# ---------------------------------------------------------------------------------------
# 公示 (no sign-in)
# ---------------------------------------------------------------------------------------


@router.get("/public/draws", response_class=HTMLResponse)
def public_draws_page(
    request: Request,
    region: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Committed, drawn and cancelled draws, for everyone."""
    found = results.list_public_draws(db, region=region, page=page)
    return render(request, "sampling/public_draws.html", {
        **found.context("draws"), "region": region.strip(), **_labels(),
    })  # fmt: skip


@router.get("/public/draws/{draw_id}", response_class=HTMLResponse)
def public_draw_page(
    request: Request,
    draw_id: Id,
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """One draw's commitment, seed, selection and how to verify it."""
    draw = results.get_public_draw(db, draw_id=draw_id)
    art = artefacts.artefacts(draw)
    selection = _slice(art["selection"], page)
    return render(request, "sampling/public_draw.html", {
        "draw": draw, "art": art, **selection.context("selection"), **_labels(),
    })  # fmt: skip


@router.get("/public/draws/{draw_id}/artefacts.json")
def public_artefacts(
    draw_id: Id,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """The artefacts to verify the draw with `wurao draw verify` (RFC 8785 canonical JSON)."""
    body = artefacts.artefacts_bytes(results.get_public_draw(db, draw_id=draw_id))
    name = f"draw-{draw_id}-artefacts.json"
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/public/draws/{draw_id}/pool.csv")
def public_pool(
    draw_id: Id,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """The frozen pool file, byte for byte as hashed."""
    draw = results.get_public_draw(db, draw_id=draw_id)
    return Response(freeze.stored_pool(db, draw), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="draw-{draw_id}-pool.csv"'})  # fmt: skip


@router.get("/public/draws/{draw_id}/results", response_class=HTMLResponse)
def public_results_page(
    request: Request,
    draw_id: Id,
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Published results of a draw's inspections (一公开)."""
    draw = results.get_public_draw(db, draw_id=draw_id)
    found = results.draw_results(db, draw=draw, today=local_today(), published_only=True, page=page)
    return render(request, "sampling/public_results.html", {
        "draw": draw, "items": service.items_of(db, draw), **found.context(), **_labels(),
    })  # fmt: skip
