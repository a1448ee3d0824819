"""Generating, numbering, storing and handing out a case's documents.

Why a row per case and kind: a document's number is given once, from a locked sequence row per
subject, kind and year (two officers generating at once get different numbers), and kept when
the document is regenerated; the row records who generated it, when, with which template, and
the SHA-256 of the .docx kept content-addressed under ``var_dir/case-documents`` — the copy the
party holds can be checked against it. Downloads are audited: a document may carry a person's
full ID number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.models import User
from wurao.auth.permissions import Role
from wurao.auth.scope import Actor
from wurao.cases import publication
from wurao.cases.access import may_handle, may_review
from wurao.cases.clocks import Deadline
from wurao.cases.documents import (
    DECISIONS,
    TEMPLATE_VERSION,
    CaseView,
    DocumentKind,
    available,
    dated_on,
    number_text,
    render,
)
from wurao.cases.investigation import evidence_of
from wurao.cases.models import CaseDocument, CaseDocumentSequence, CaseOfficer, PenaltyCase
from wurao.cases.statuses import CaseStatus, PartyKind
from wurao.core import audit
from wurao.core.config import get_settings
from wurao.core.db import insert_for
from wurao.core.errors import Conflict, Forbidden, NotFound
from wurao.core.policy import get_policy
from wurao.core.time import local_today, utcnow
from wurao.core.workdays import UnknownCalendarYear
from wurao.registry.models import EnforcementSubject, Enterprise, Officer


@dataclass(frozen=True)
class DocumentEntry:
    """One kind the case's stage allows, as the case page lists it."""

    kind: DocumentKind
    row: CaseDocument | None  # None: not generated yet
    may_generate: bool


def kind_of(value: str) -> DocumentKind:
    """The kind named in a URL (NotFound for an unknown one)."""
    try:
        return DocumentKind(value)
    except ValueError:
        raise NotFound("没有这种文书。") from None


def _store_dir() -> Path:
    return get_settings().var_dir / "case-documents"


def _keep(data: bytes, sha: str) -> None:
    """Write the file under its digest, whole or not at all (a temporary file moved in)."""
    folder = _store_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".doc-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, folder / f"{sha}.docx")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def may_generate(actor: Actor, case: PenaltyCase, kind: DocumentKind) -> bool:
    """Who issues a document: the case's handlers; the 法制审核意见书 also its reviewer."""
    return may_handle(actor, case) or (kind is DocumentKind.REVIEW and may_review(actor, case))


def documents_of(session: Session, case: PenaltyCase) -> dict[str, CaseDocument]:
    """The case's generated documents by kind."""
    rows = session.scalars(select(CaseDocument).where(CaseDocument.case_id == case.id))
    return {r.kind: r for r in rows}


def document_list(session: Session, *, actor: Actor, case: PenaltyCase) -> list[DocumentEntry]:
    """The kinds available at the case's stage, with their numbers and who may generate them."""
    rows = documents_of(session, case)
    kinds = available(case)
    if actor.role is Role.ENTERPRISE:
        kinds = [k for k in kinds if _enterprise_may_read(case, k) and k.value in rows]
    return [DocumentEntry(k, rows.get(k.value), may_generate(actor, case, k)) for k in kinds]


def case_view(session: Session, case: PenaltyCase) -> CaseView:
    """Everything the documents print, read once."""
    subject = session.get(EnforcementSubject, case.subject_id)
    assert subject is not None
    stmt = select(Officer).join(CaseOfficer, CaseOfficer.officer_id == Officer.id)
    officers = session.scalars(stmt.where(CaseOfficer.case_id == case.id).order_by(Officer.id))
    id_label, party_id, address = "", "", ""
    if case.party_kind == PartyKind.PERSON:
        id_label, party_id = "公民身份号码", case.person_ric
    elif case.enterprise_id is not None:
        ent = session.get(Enterprise, case.enterprise_id)
        if ent is not None:
            id_label, party_id, address = "统一社会信用代码", ent.uscc, ent.address
    presiding = (
        session.get(Officer, case.hearing_presiding_id) if case.hearing_presiding_id else None
    )
    reviewer = session.get(User, case.reviewer_id) if case.reviewer_id else None
    policy, start = get_policy(), case.notice_served_on or case.found_on
    rate = float(
        policy.value("case.late_surcharge_rate", case.region_code, case.decided_on or start)
    )
    return CaseView(
        case=case,
        organ=subject.name,
        officers=[(o.name, o.cert_no or "") for o in officers],
        evidence=[(e.filename, e.description) for e in evidence_of(session, case)],
        party_id_label=id_label,
        party_id=party_id,
        party_address=address,
        presiding=presiding.name if presiding else "",
        reviewer=reviewer.display_name if reviewer else "",
        defence_days=int(policy.value("case.defence_working_days", case.region_code, start)),
        hearing_request_days=int(
            policy.value("case.hearing_request_working_days", case.region_code, start)
        ),
        payment_days=int(policy.value("case.payment_days", case.region_code, start)),
        surcharge_percent=_percent(rate),
        numbers={k: r.number for k, r in documents_of(session, case).items()},
    )


def _percent(rate: float) -> str:
    """百分之三: a whole percentage up to ten in Chinese numerals, else in figures."""
    value = rate * 100
    if value == int(value) and 0 < value <= 10:
        return "一二三四五六七八九十"[int(value) - 1]
    return f"{value:g}"


def _next_number(
    session: Session, subject: EnforcementSubject, kind: DocumentKind, year: int
) -> str:
    """The next number of a kind per subject and year; the sequence row is locked."""
    values = {"subject_id": subject.id, "kind": kind.value, "year": year, "last": 0}
    session.execute(
        insert_for(session, CaseDocumentSequence).values(**values).on_conflict_do_nothing()
    )
    seq = session.scalars(
        select(CaseDocumentSequence)
        .filter_by(subject_id=subject.id, kind=kind.value, year=year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    seq.last += 1
    return number_text(subject.name, kind, year, seq.last)


def generate(
    session: Session, *, actor: Actor, case: PenaltyCase, kind: DocumentKind
) -> tuple[CaseDocument, bytes]:
    """Generate (or regenerate, keeping its number) a document the case's stage allows."""
    if not may_generate(actor, case, kind):
        raise Forbidden("只能由本执法主体的承办人员出具文书。")
    day = dated_on(case, kind)
    if day is None:
        raise Conflict(
            f"案件当前处于“{CaseStatus(case.status).label}”阶段，尚不能出具{kind.label}。"
        )
    row = session.scalar(
        select(CaseDocument).where(CaseDocument.case_id == case.id, CaseDocument.kind == kind.value)
    )
    before = audit.snapshot(row) if row is not None else None
    if row is None:
        subject = session.get(EnforcementSubject, case.subject_id)
        assert subject is not None
        number = _next_number(session, subject, kind, day.year)
    else:
        number = row.number
    data = render(kind, case_view(session, case), number, day)
    sha = hashlib.sha256(data).hexdigest()
    _keep(data, sha)
    if row is None:
        row = CaseDocument(case_id=case.id, kind=kind.value, number=number)
        session.add(row)
    row.dated, row.sha256, row.size = day, sha, len(data)
    row.template_version = TEMPLATE_VERSION
    row.generated_by_id, row.generated_at = actor.user_id, utcnow()
    verb = "重新生成" if before else "出具"
    audit.record(
        session,
        actor=actor,
        action="case.document",
        obj=row,
        before=before,
        summary=f"{case.number}：{verb}{kind.label}（{row.number}）",
        region_code=case.region_code,
    )
    return row, data


def _enterprise_may_read(case: PenaltyCase, kind: DocumentKind) -> bool:
    return kind in DECISIONS and case.served_on is not None


def download(
    session: Session, *, actor: Actor, case: PenaltyCase, kind: DocumentKind
) -> tuple[CaseDocument, bytes]:
    """A generated document as issued (the stored file), for whoever may read the case; an
    enterprise only its own decision once served. Every download is on the audit record."""
    if actor.role is Role.ENTERPRISE and not _enterprise_may_read(case, kind):
        raise NotFound("该文书不存在，或尚未送达。")
    row = session.scalar(
        select(CaseDocument).where(CaseDocument.case_id == case.id, CaseDocument.kind == kind.value)
    )
    if row is None:
        raise NotFound(f"尚未出具{kind.label}。")
    path = _store_dir() / f"{row.sha256}.docx"
    if path.exists():
        data = path.read_bytes()
    else:
        # The store was lost: render again (the same bytes while the case is unchanged).
        data = render(kind, case_view(session, case), row.number, row.dated)
    audit.record(
        session,
        actor=actor,
        action="case.document_download",
        object_type="case_document",
        object_id=str(row.id),
        summary=f"{case.number}：下载{kind.label}（{row.number}）",
        region_code=case.region_code,
    )
    return row, data


def _publication_deadlines(
    session: Session, case: PenaltyCase, today: dt.date, shown: bool
) -> list[Deadline]:
    if not shown:
        return []
    try:
        return publication.publication_deadlines(session, case, today)
    except UnknownCalendarYear:  # the page says so through the calendar notice
        return []


def documents_context(
    session: Session, *, actor: Actor, case: PenaltyCase, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    """What ``cases/_documents.html`` reads: the documents and the decision's publication."""
    today = local_today()
    show_publication = actor.role is not Role.ENTERPRISE and publication.publishable(case)
    return {
        "case": case,
        "documents": document_list(session, actor=actor, case=case),
        "doc_base": (
            f"/enterprise/cases/{case.id}/documents"
            if actor.role is Role.ENTERPRISE
            else f"/cases/{case.id}/documents"
        ),
        "may_handle": may_handle(actor, case),
        "show_publication": show_publication,
        "publication": publication.get_publication(session, case) if show_publication else None,
        "publication_deadlines": _publication_deadlines(session, case, today, show_publication),
        "today": today,
        "errors": errors or {},
    }
