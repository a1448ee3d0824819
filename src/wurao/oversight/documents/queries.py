"""Reading supervision documents: who sees which (the supervisor its region's, a subject those
addressed to it), the filtered list — with the 风险提示函 of oversight/notices.py beside them —
and one document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, false, literal, null, select, union_all
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.paging import PER_PAGE, Page, paginate_rows
from wurao.core.time import local_today
from wurao.oversight.documents.models import SupervisionDocument
from wurao.oversight.documents.service import NOT_FOUND
from wurao.oversight.documents.statuses import DocumentKind, DocumentStatus
from wurao.oversight.models import RiskNotice

RISK_NOTICE = "risk_notice"
KIND_LABELS = {**DocumentKind.labels(), RISK_NOTICE: "风险提示函"}
"""Every kind the list shows, the 风险提示函 (kept in oversight/notices.py) included."""


def documents_visible_to(actor: Actor) -> Select[SupervisionDocument]:
    """The documents the actor may read: its region's (supervisor) or its subject's."""
    actor.require(Permission.ALERTS_VIEW)
    stmt = select(SupervisionDocument)
    if actor.role is Role.SYSADMIN:
        return stmt
    if actor.can(Permission.DOCUMENTS_ISSUE):
        return stmt.where(region_filter(actor, SupervisionDocument.region_code))
    if actor.subject_id is None:
        return stmt.where(false())
    return stmt.where(SupervisionDocument.subject_id == actor.subject_id)


def _notices_visible_to(actor: Actor) -> Select[RiskNotice]:
    stmt = select(RiskNotice)
    if actor.role is Role.SYSADMIN:
        return stmt
    if actor.can(Permission.DOCUMENTS_ISSUE):
        return stmt.where(region_filter(actor, RiskNotice.region_code))
    if actor.subject_id is None:
        return stmt.where(false())
    return stmt.where(RiskNotice.subject_id == actor.subject_id)


def get_document(session: Session, *, actor: Actor, document_id: int) -> SupervisionDocument:
    """One document the actor may read (NotFound otherwise, so that no id leaks)."""
    found = session.scalar(documents_visible_to(actor).where(SupervisionDocument.id == document_id))
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


@dataclass(frozen=True)
class DocumentFilters:
    """The list's filters, as they appear in the URL."""

    kind: str = ""
    status: str = ""
    overdue: bool = False
    subject_id: int | None = None


@dataclass(frozen=True)
class ListedDocument:
    """One row of the list: a supervision document or a 风险提示函."""

    kind: str
    id: int
    number: str
    subject_id: int
    title: str
    issued_at: dt.datetime
    status: str  # "" for a 风险提示函 (its alert carries the lifecycle)
    reply_due_on: dt.date | None
    overdue: bool
    dated: dt.date | None = None  # the date the document bears (None: a 风险提示函)

    @property
    def link(self) -> str:
        """Where the row leads."""
        if self.kind == RISK_NOTICE:
            return f"/oversight/notices/{self.id}.docx"
        return f"/oversight/documents/{self.id}"


def list_documents(
    session: Session,
    *,
    actor: Actor,
    filters: DocumentFilters,
    page: int = 1,
    per_page: int = PER_PAGE,
    today: dt.date | None = None,
) -> Page[ListedDocument]:
    """A page of the documents the actor may read, newest first, filtered as the URL says;
    the 风险提示函 appear too unless a status or overdue filter asks for the others only."""
    today = today or local_today()
    if filters.kind and filters.kind not in KIND_LABELS:
        raise InvalidInput("未知的文书种类。", field="kind")
    if filters.status and filters.status not in DocumentStatus.labels():
        raise InvalidInput("未知的文书状态。", field="status")
    D = SupervisionDocument
    docs = documents_visible_to(actor).with_only_columns(
        D.kind.label("kind"),
        D.id.label("id"),
        D.number.label("number"),
        D.subject_id.label("subject_id"),
        D.title.label("title"),
        D.issued_at.label("issued_at"),
        D.status.label("status"),
        D.reply_due_on.label("reply_due_on"),
        D.dated.label("dated"),
    )
    if filters.kind:
        docs = docs.where(D.kind == filters.kind)
    if filters.status:
        docs = docs.where(D.status == filters.status)
    if filters.overdue:
        docs = docs.where(and_(D.status == DocumentStatus.SENT.value, D.reply_due_on < today))
    if filters.subject_id is not None:
        docs = docs.where(D.subject_id == filters.subject_id)
    parts: list[Select[*tuple[Any, ...]]] = [docs] if filters.kind != RISK_NOTICE else []
    if filters.kind in ("", RISK_NOTICE) and not filters.status and not filters.overdue:
        N = RiskNotice
        notices = _notices_visible_to(actor).with_only_columns(
            literal(RISK_NOTICE).label("kind"),
            N.id.label("id"),
            N.number.label("number"),
            N.subject_id.label("subject_id"),
            literal("风险提示函").label("title"),
            N.issued_at.label("issued_at"),
            literal("").label("status"),
            null().label("reply_due_on"),
            null().label("dated"),
        )
        if filters.subject_id is not None:
            notices = notices.where(N.subject_id == filters.subject_id)
        parts.append(notices)
    if not parts:
        return Page([], 0, max(page, 1), per_page)
    both = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    stmt = select(*both.c).order_by(both.c.issued_at.desc(), both.c.id.desc())
    rows = paginate_rows(session, stmt, page, per_page)
    return rows.map(
        lambda r: ListedDocument(
            kind=r.kind,
            id=r.id,
            number=r.number,
            subject_id=r.subject_id,
            title=r.title,
            issued_at=r.issued_at,
            status=r.status,
            reply_due_on=r.reply_due_on,
            dated=r.dated,
            overdue=r.status == DocumentStatus.SENT.value
            and r.reply_due_on is not None
            and r.reply_due_on < today,
        )
    )
