"""Joint-inspection pages: /plans/joint (综合查一次 candidates between subjects' plans) and
/joint/… (proposals of merged visits, each subject's decision, the merged checklist, 委托查).

Registered before the planning pages so that /plans/joint is not read as a plan id.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.text import NOTE
from wurao.core.time import local_today
from wurao.joint import decisions, proposal_reads, proposals, service
from wurao.joint.checklist import merged_checklist
from wurao.joint.models import JointProposal
from wurao.joint.solver import REASONS, STATUSES
from wurao.planning.service import SELECTIONS
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm, form_year
from wurao.web.params import MAX_ID, MAX_LIST, Id, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


class ProposalForm(PageForm):
    """生成综合查一次方案 for a period."""

    period_start: dt.date = Field(title="开始日期")
    period_end: dt.date = Field(title="结束日期")


class DecisionForm(PageForm):
    """The subject's decision on a merge: ``accept`` is the button pressed ("1" or "0")."""

    accept: Annotated[str, Text(1, "决定")] = ""
    reason: Annotated[str, Text(NOTE, "理由")] = ""


class DelegationForm(PageForm):
    """委托查: another subject of the joint task checks some of the actor's items."""

    to_subject_id: int = Field(ge=1, le=MAX_ID, title="受托主体")
    item_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, max_length=MAX_LIST, title="委托检查的事项"
    )
    note: Annotated[str, Text(NOTE, "委托说明")] = ""


LEFTOVERS_SHOWN = 300  # the rest are counted by reason; the API lists them all


@router.get("/plans/joint", response_class=HTMLResponse)
def joint_page(
    request: Request,
    year: str = "",
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Joint-inspection candidates (综合查一次) between subjects' plans."""
    y = (form_year(year) if year else None) or local_today().year
    found = service.joint_candidates(db, actor=actor, year=y)
    return render(
        request,
        "planning/joint.html",
        {
            "candidates": found,
            "year": y,
            "total_saved": sum(c.visits_saved for c in found),
            "selections": SELECTIONS,
        },
    )


# --- 综合查一次方案: run a proposal, read it, decide, 委托查 ---------------------------------


def _proposal_context(
    db: Session, actor: Actor, proposal: JointProposal, page: int
) -> dict[str, Any]:
    found = proposal_reads.merges_page(db, proposal, page)
    return {
        "proposal": proposal,
        **found.context("merges"),
        "counts": proposal_reads.merge_counts(db, proposal),
        "leftovers": proposal_reads.leftovers_of(db, proposal, limit=LEFTOVERS_SHOWN),
        "leftover_counts": proposal_reads.leftover_counts(db, proposal),
        "reasons": REASONS,
        "statuses": STATUSES,
        "merge_statuses": proposals.MERGE_STATUSES,
        "decisions": proposals.DECISIONS,
        "own_subject": actor.subject_id,
        "may_decide": actor.can(Permission.TASKS_MANAGE) and actor.subject_id is not None,
    }


@router.get("/joint/proposals", response_class=HTMLResponse)
def proposals_page(
    request: Request,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """综合查一次方案: the newest proposals and the form to run one."""
    today = local_today()
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return render(
        request,
        "joint/proposals.html",
        {
            "rows": proposal_reads.list_proposals(db, actor=actor),
            "may_propose": proposals.may_propose(actor),
            "start": first,
            "end": last,
        },
    )


@router.post("/joint/proposals", response_class=HTMLResponse)
def run_proposal(
    request: Request,
    form: Annotated[ProposalForm, Form()],
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Run the optimiser for the actor's region and the period; show the stored proposal."""
    proposal = proposals.run_proposal(db, actor=actor, start=form.period_start, end=form.period_end)
    flash(request, f"已生成综合查一次方案：入企 {proposal.demands} 次 → {proposal.visits} 次。")
    return RedirectResponse(f"/joint/proposals/{proposal.id}", status_code=303)


@router.get("/joint/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(
    request: Request,
    proposal_id: Id,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """A proposal: totals against the bound, its merges with each subject's decision, the
    tasks left alone and why."""
    proposal = proposal_reads.get_proposal(db, actor=actor, proposal_id=proposal_id)
    return render(request, "joint/proposal.html", _proposal_context(db, actor, proposal, page))


@router.post("/joint/merges/{merge_id}/decision", response_class=HTMLResponse)
def decide(
    request: Request,
    merge_id: Id,
    form: Annotated[DecisionForm, Form()],
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The actor's subject accepts or declines a merge (refused: the merge page again, the
    reason kept beside its message)."""
    merge = proposal_reads.get_merge(db, actor=actor, merge_id=merge_id)
    accept = form.accept == "1"
    decisions.decide(db, actor=actor, merge=merge, accept=accept, reason=form.reason)
    if merge.joint_task_id is not None:
        flash(request, f"各主体均已同意，已生成联合检查任务 #{merge.joint_task_id}。")
    else:
        flash(request, "已记录本单位的决定。")
    return RedirectResponse(f"/joint/merges/{merge_id}", status_code=303)


@router.get("/joint/merges/{merge_id}", response_class=HTMLResponse)
def merge_page(
    request: Request,
    merge_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One proposed joint visit: parts and decisions, the merged checklist (一表通查), 委托查."""
    merge = proposal_reads.get_merge(db, actor=actor, merge_id=merge_id)
    view = proposal_reads.merge_views(db, [merge])[0]
    delegations = decisions.delegations_of(db, merge.joint_task_id) if merge.joint_task_id else []
    names = {s.id: s.name for _, s in view.parts}
    return render(
        request,
        "joint/merge.html",
        {
            "v": view,
            "lines": merged_checklist(db, view.items),
            "delegations": delegations,
            "names": names,
            "item_names": {i.id: f"{i.code} {i.name}" for _, i in view.items},
            "own_items": [i for s, i in view.items if s.id == actor.subject_id],
            "merge_statuses": proposals.MERGE_STATUSES,
            "decisions": proposals.DECISIONS,
            "own_subject": actor.subject_id,
            "may_decide": actor.can(Permission.TASKS_MANAGE) and view.pending_for(actor.subject_id),
            "may_delegate": actor.can(Permission.TASKS_MANAGE)
            and merge.joint_task_id is not None
            and actor.subject_id in view.subject_ids,
        },
    )


@router.post("/joint/merges/{merge_id}/delegations", response_class=HTMLResponse)
def delegate(
    request: Request,
    merge_id: Id,
    form: Annotated[DelegationForm, Form()],
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """委托查: ask another subject of the joint task to check the actor's items."""
    merge = proposal_reads.get_merge(db, actor=actor, merge_id=merge_id)
    decisions.delegate(
        db,
        actor=actor,
        merge=merge,
        to_subject_id=form.to_subject_id,
        item_ids=list(form.item_ids),
        note=form.note,
    )
    flash(request, "已记录委托查。")
    return RedirectResponse(f"/joint/merges/{merge_id}#delegations", status_code=303)
