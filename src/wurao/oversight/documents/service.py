"""Issuing supervision documents, the subject's reply and the supervisor's acknowledgement.

Why a sequence row: a number is given once per issuing region, kind and year from a locked
row (two supervisors issuing at once get different numbers; the unique constraints refuse a
duplicate whatever happens). The .docx is rendered once at issue, kept content-addressed under
``var_dir/supervision-documents`` and its SHA-256 stored; downloads are audited. The reply
deadline is one clock (F8 DOCUMENT-REPLY) read from the policy on the date of issue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.clock import WORKING, Clock
from wurao.core.config import get_settings
from wurao.core.db import insert_for
from wurao.core.errors import Forbidden, InvalidInput, NotFound
from wurao.core.time import local_today, utcnow
from wurao.oversight.documents import docx
from wurao.oversight.documents.models import SupervisionDocument, SupervisionDocumentSequence
from wurao.oversight.documents.statuses import (
    DOCUMENT_LIFECYCLE,
    DocumentKind,
    DocumentStatus,
    SourceKind,
)
from wurao.oversight.models import InboxMessage
from wurao.oversight.organs import organ_names
from wurao.oversight.rectification import service as rectification
from wurao.registry.models import EnforcementSubject

PARAM = "documents.reply_working_days"
REPLY_CLOCK = Clock(catalogue.F8_DOCUMENT_REPLY, "监督文书答复期限", "监督文书签发", PARAM, WORKING)
NOT_FOUND = "监督文书不存在或不在您的权限范围内。"


@dataclass(frozen=True)
class Source:
    """One record a document was drawn from."""

    kind: str  # SourceKind
    id: int
    label: str

    def as_dict(self) -> dict[str, object]:
        """The JSON form stored in ``SupervisionDocument.sources``."""
        return {"kind": self.kind, "id": self.id, "label": self.label}


def sources_of(document: SupervisionDocument) -> list[Source]:
    """The document's sources as stored."""
    data = json.loads(document.sources or "[]")
    return [Source(str(d["kind"]), int(d["id"]), str(d.get("label", ""))) for d in data]


def reply_due(issued_on: dt.date, region: str) -> dt.date:
    """The last day of the subject's reply to a document issued on ``issued_on``."""
    return REPLY_CLOCK.deadline(issued_on, region)


def is_overdue(document: SupervisionDocument, today: dt.date) -> bool:
    """Whether the subject's reply is late (only a document still waiting for it)."""
    return document.status == DocumentStatus.SENT and document.reply_due_on < today


# --- who may do what ------------------------------------------------------------------------


def may_issue(actor: Actor, region_code: str) -> bool:
    """Whether the actor is the supervisor of ``region_code`` (issues and closes)."""
    return actor.can(Permission.DOCUMENTS_ISSUE) and actor.covers_region(region_code)


def may_reply(actor: Actor, document: SupervisionDocument) -> bool:
    """Whether the actor answers for the subject the document was sent to."""
    if not actor.can(Permission.ALERTS_RESPOND):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == document.subject_id


def allowed_actions(actor: Actor, document: SupervisionDocument) -> list[str]:
    """The actions the document page offers this viewer now."""
    out = []
    if may_reply(actor, document) and DOCUMENT_LIFECYCLE.can(document, "reply"):
        out.append("reply")
    if may_issue(actor, document.region_code) and DOCUMENT_LIFECYCLE.can(document, "close"):
        out.append("close")
    return out


# --- issuing --------------------------------------------------------------------------------


def organ_of(session: Session, region_code: str) -> docx.Organ:
    """The issuing organ of a region: 柯城区司法局, numbers starting 柯司."""
    full, short = organ_names(session, region_code)
    return docx.Organ(full, short)


def _next_seq(session: Session, region: str, kind: DocumentKind, year: int) -> int:
    values = {"region_code": region, "kind": kind.value, "year": year, "last": 0}
    session.execute(
        insert_for(session, SupervisionDocumentSequence).values(**values).on_conflict_do_nothing()
    )
    seq = session.scalars(
        select(SupervisionDocumentSequence)
        .filter_by(region_code=region, kind=kind.value, year=year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    seq.last += 1
    return seq.last


def _store_dir() -> Path:
    return get_settings().var_dir / "supervision-documents"


def _keep(data: bytes, sha: str) -> None:
    path = _store_dir() / f"{sha}.docx"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


def _text(value: str, *, field: str, label: str, limit: int) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(f"请填写{label}。", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{label}不能超过{limit}字。", field=field)
    return text


def issue(
    session: Session,
    *,
    actor: Actor,
    kind: str,
    subject: EnforcementSubject,
    title: str,
    body: str,
    sources: list[Source],
    rectify: bool = False,
    today: dt.date | None = None,
) -> SupervisionDocument:
    """Number, render and send a document to the subject's inbox (and, when asked, open a
    rectification item for it)."""
    actor.require(Permission.DOCUMENTS_ISSUE)
    if not actor.covers_region(subject.region_code):
        raise Forbidden("只能向本辖区的执法主体制发监督文书。")
    try:
        doc_kind = DocumentKind(kind)
    except ValueError:
        raise InvalidInput("请选择文书种类。", field="kind") from None
    title = _text(title, field="title", label="标题", limit=200)
    body = _text(body, field="body", label="正文", limit=20000)
    for s in sources:
        SourceKind(s.kind)  # a programming error otherwise: the page builds them
    today = today or local_today()
    region = actor.region_code if actor.role is not Role.SYSADMIN else subject.region_code
    organ = organ_of(session, region)
    seq = _next_seq(session, region, doc_kind, today.year)
    document = SupervisionDocument(
        kind=doc_kind.value,
        number=docx.number_text(organ, doc_kind, today.year, seq),
        region_code=region,
        year=today.year,
        seq=seq,
        subject_id=subject.id,
        title=title,
        body=body,
        sources=json.dumps([s.as_dict() for s in sources], ensure_ascii=False),
        dated=today,
        issued_at=utcnow(),
        issued_by_id=actor.user_id,
        reply_due_on=reply_due(today, subject.region_code),
        status=DocumentStatus.SENT.value,
        template_version=docx.TEMPLATE_VERSION,
    )
    data = docx.render(document, organ, subject.name)
    document.docx_sha256 = hashlib.sha256(data).hexdigest()
    _keep(data, document.docx_sha256)
    session.add(document)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="supervision_document.issue",
        obj=document,
        summary=f"制发{doc_kind.label}（{document.number}）：{subject.name}",
        region_code=subject.region_code,
    )
    message = InboxMessage(
        subject_id=subject.id,
        kind="supervision_doc",
        title=f"{doc_kind.label} {document.number}：{title}"[:200],
        body=f"请于{document.reply_due_on.isoformat()}前在平台书面答复。",
        link=f"/oversight/documents/{document.id}",
        created_at=document.issued_at,
    )
    session.add(message)
    audit.record(session, actor=actor, action="inbox.send", obj=message)
    if rectify:
        rectification.open_item(
            session,
            actor=actor,
            subject_id=subject.id,
            source_kind="document",
            source_id=document.id,
            title=f"{doc_kind.label} {document.number}：{title}"[:200],
            detail=body[:4000],
            today=today,
        )
    return document


# --- reply and acknowledgement --------------------------------------------------------------


def reply(
    session: Session, *, actor: Actor, document: SupervisionDocument, text: str
) -> SupervisionDocument:
    """The subject's written reply; the document then waits for the supervisor."""
    actor.require(Permission.ALERTS_RESPOND)
    if not may_reply(actor, document):
        raise Forbidden("只能答复发给本单位的监督文书。")
    DOCUMENT_LIFECYCLE.check(document, "reply")
    text = _text(text, field="text", label="答复内容", limit=8000)
    before = audit.snapshot(document)
    DOCUMENT_LIFECYCLE.advance(document, "reply")
    document.reply, document.replied_at, document.replied_by_id = text, utcnow(), actor.user_id
    audit.record(
        session,
        actor=actor,
        action="supervision_document.reply",
        obj=document,
        before=before,
        summary=f"答复{document.number}",
        region_code=document.region_code,
    )
    return document


def close(
    session: Session, *, actor: Actor, document: SupervisionDocument, note: str = ""
) -> SupervisionDocument:
    """The supervisor acknowledges the reply (or closes without one, with a note)."""
    actor.require(Permission.DOCUMENTS_ISSUE)
    if not may_issue(actor, document.region_code):
        raise NotFound(NOT_FOUND)
    DOCUMENT_LIFECYCLE.check(document, "close")
    if document.status == DocumentStatus.SENT and not note.strip():
        raise InvalidInput("尚未答复的文书办结时请写明理由。", field="note")
    before = audit.snapshot(document)
    DOCUMENT_LIFECYCLE.advance(document, "close")
    document.close_note = note.strip()[:4000]
    document.closed_at, document.closed_by_id = utcnow(), actor.user_id
    audit.record(
        session,
        actor=actor,
        action="supervision_document.close",
        obj=document,
        before=before,
        summary=f"办结{document.number}",
        region_code=document.region_code,
    )
    return document


def download(session: Session, *, actor: Actor, document: SupervisionDocument) -> bytes:
    """The .docx as issued (the stored file, or the same bytes rendered again); audited."""
    path = _store_dir() / f"{document.docx_sha256}.docx"
    if path.exists():
        data = path.read_bytes()
    else:
        subject = session.get(EnforcementSubject, document.subject_id)
        name = subject.name if subject is not None else ""
        data = docx.render(document, organ_of(session, document.region_code), name)
    audit.record(
        session,
        actor=actor,
        action="supervision_document.download",
        object_type="supervision_document",
        object_id=str(document.id),
        summary=f"下载{document.number}",
        region_code=document.region_code,
    )
    return data
