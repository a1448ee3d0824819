"""The documents of coercive measures and enforcement as .docx (pure functions of a view), and
their numbering, storage by SHA-256 and audited download.

查封（扣押）决定书 with its 清单 (第24条: party, reason, basis, items, place, period,
remedies, organ's seal and date), 冻结决定书 (第31条), 延长查封（扣押）期限通知书 (第25条),
解除决定书 (第28条), 催告书 (第35条). The bytes are deterministic
(``cases.documents_docx.Writer``): regenerating an unchanged document gives the same SHA-256,
so the copy the party holds can be checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.cases.coercion.access import may_handle
from wurao.cases.coercion.models import CoercionDocument, CoerciveEnforcement, CoerciveMeasure
from wurao.cases.coercion.service import items_of, next_number, officers_of
from wurao.cases.coercion.statuses import MeasureKind, Outcome
from wurao.cases.documents_docx import Writer, cn_date
from wurao.core import audit
from wurao.core.config import get_settings
from wurao.core.errors import Conflict, Forbidden, NotFound
from wurao.core.lifecycle import LabelledEnum
from wurao.core.time import utcnow
from wurao.registry.models import EnforcementSubject

TEMPLATE_VERSION = "2026.12-1"
REMEDY = (
    "如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院"
    "提起行政诉讼。"
)


class CoercionDocKind(LabelledEnum):
    """The documents, each numbered per subject, series and year (the decision bears the
    measure's own number)."""

    DECISION = ("decision", "查封（扣押）决定书")
    EXTENSION = ("extension", "延长查封（扣押）期限通知书")
    RELEASE = ("release", "解除查封（扣押）决定书")
    REMINDER = ("reminder", "催告书")


MEASURE_KINDS = (CoercionDocKind.DECISION, CoercionDocKind.EXTENSION, CoercionDocKind.RELEASE)
Owner = CoerciveMeasure | CoerciveEnforcement


def title(kind: CoercionDocKind, owner: Owner) -> str:
    """The title as printed: a freeze's documents say 冻结."""
    if isinstance(owner, CoerciveMeasure) and owner.kind == MeasureKind.FREEZE:
        return kind.label.replace("查封（扣押）", "冻结")
    return kind.label


def dated_on(owner: Owner, kind: CoercionDocKind) -> dt.date | None:
    """The date the document bears, or None while the step it records has not happened."""
    if isinstance(owner, CoerciveEnforcement):
        return owner.reminder_served_on if kind is CoercionDocKind.REMINDER else None
    if kind is CoercionDocKind.DECISION:
        return owner.starts_on
    if kind is CoercionDocKind.EXTENSION:
        return owner.extended_on
    if kind is CoercionDocKind.RELEASE:
        return owner.outcome_on if owner.outcome == Outcome.RELEASE else None
    return None


def available(owner: Owner) -> list[CoercionDocKind]:
    """The kinds the state allows now."""
    return [k for k in CoercionDocKind if dated_on(owner, k) is not None]


@dataclass(frozen=True)
class View:
    """What a document prints, read once."""

    owner: Owner
    organ: str
    officers: list[tuple[str, str]]
    items: list[tuple[str, str, str, str]]  # description, quantity, location, owner
    period_end: dt.date | None


def _measure_body(w: Writer, kind: CoercionDocKind, v: View, m: CoerciveMeasure) -> None:
    act = MeasureKind(m.kind).label
    w.para(m.party_name, label="当事人：", indent=False)
    if kind is CoercionDocKind.DECISION:
        w.para(f"经查，{m.reason}")
        w.para(f"依据{m.basis}，本机关决定对你（单位）的下列财物予以{act}（详见清单）。")
        assert m.starts_on is not None
        if v.period_end is not None:
            w.para(
                f"{act}期限自{cn_date(m.starts_on)}起至{cn_date(v.period_end)}止，不超过三十日；"
                "情况复杂的，经本机关负责人批准可以延长，延长期限不超过三十日。"
            )
        w.para(REMEDY)
        officers = "、".join(f"{n}（执法证号{c}）" for n, c in v.officers)
        w.para(officers, label="执法人员：", indent=False)
        w.heading(f"{act}财物清单")
        w.table(
            [("名称（识别号）", "数量；存放地点；所有人")]
            + [(d, f"{q}；{loc or '—'}；{own or '—'}") for d, q, loc, own in v.items]
        )
    elif kind is CoercionDocKind.EXTENSION:
        assert m.extended_on is not None and v.period_end is not None
        w.para(
            f"本机关于{cn_date(m.starts_on)}对你（单位）的财物予以{act}（决定书{m.number}）。"
            f"因{m.extension_reason}，情况复杂，经本机关负责人{m.extension_approver}批准，"
            f"{act}期限延长至{cn_date(v.period_end)}。"
        )
        w.para("依据：《中华人民共和国行政强制法》第二十五条。")
    else:
        w.para(
            f"本机关于{cn_date(m.starts_on)}对你（单位）的财物予以{act}（决定书{m.number}）。"
            f"因{m.outcome_reason}，依据《中华人民共和国行政强制法》第二十八条，决定解除{act}，"
            "财物清单如下，请于接到本决定书后领取。"
        )
        w.table([(d, q) for d, q, _, _ in v.items])


def _reminder_body(w: Writer, e: CoerciveEnforcement) -> None:
    w.para(e.party_name, label="当事人：", indent=False)
    ref = f"（{e.decision_ref}）" if e.decision_ref else ""
    w.para(f"本机关作出的行政决定{ref}要求你（单位）履行下列义务：{e.obligation}")
    w.para(e.reminder_text)
    w.para(
        "你（单位）有权进行陈述和申辩。逾期仍不履行的，本机关将依法强制执行或者申请人民法院强制执行"
        "（《中华人民共和国行政强制法》第三十五条、第五十四条）。"
    )


def render(kind: CoercionDocKind, view: View, number: str, day: dt.date) -> bytes:
    """The document as .docx bytes (the same bytes for the same content and date)."""
    w = Writer(view.organ, title(kind, view.owner), number)
    if isinstance(view.owner, CoerciveMeasure):
        _measure_body(w, kind, view, view.owner)
    else:
        _reminder_body(w, view.owner)
    w.signature(view.organ, day, ("当事人（见证人）签名：",))
    return w.to_bytes(day)


# --- storage, numbering, download -----------------------------------------------------------


def _store_dir() -> Path:
    return get_settings().var_dir / "coercion-documents"


def _keep(data: bytes, sha: str) -> None:
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


def kind_of(value: str) -> CoercionDocKind:
    """The kind named in a URL (NotFound for an unknown one)."""
    try:
        return CoercionDocKind(value)
    except ValueError:
        raise NotFound("没有这种文书。") from None


def _owner_filter(owner: Owner) -> ColumnElement[bool]:
    if isinstance(owner, CoerciveMeasure):
        return CoercionDocument.measure_id == owner.id
    return CoercionDocument.enforcement_id == owner.id


def documents_of(session: Session, owner: Owner) -> dict[str, CoercionDocument]:
    """The generated documents by kind."""
    rows = session.scalars(select(CoercionDocument).where(_owner_filter(owner)))
    return {r.kind: r for r in rows}


def view_of(session: Session, owner: Owner) -> View:
    """Everything the documents print."""
    from_clock: dt.date | None = None
    subject = session.get(EnforcementSubject, owner.subject_id)
    assert subject is not None
    if isinstance(owner, CoerciveMeasure):
        officers = [(o.name, o.cert_no or "") for o in officers_of(session, owner)]
        items = [
            (
                i.description + (f"（{i.identifier}）" if i.identifier else ""),
                i.quantity,
                i.location,
                i.owner,
            )
            for i in items_of(session, owner)
        ]
        from_clock = owner.ends_on
        return View(owner, subject.name, sorted(officers), items, from_clock)
    return View(owner, subject.name, [], [], None)


def generate(
    session: Session, *, actor: Actor, owner: Owner, kind: CoercionDocKind
) -> tuple[CoercionDocument, bytes]:
    """Generate (or regenerate, keeping its number) a document the state allows."""
    if not may_handle(actor, owner):
        raise Forbidden("只能由本执法主体的执法人员出具文书。")
    day = dated_on(owner, kind)
    if day is None:
        raise Conflict(f"尚不能出具{title(kind, owner)}。")
    row = session.scalar(
        select(CoercionDocument).where(_owner_filter(owner), CoercionDocument.kind == kind.value)
    )
    before = audit.snapshot(row) if row is not None else None
    if row is not None:
        number = row.number
    elif kind is CoercionDocKind.DECISION:
        number = owner.number
    else:
        subject = session.get(EnforcementSubject, owner.subject_id)
        assert subject is not None
        number = next_number(session, subject, kind.value, day.year)
    data = render(kind, view_of(session, owner), number, day)
    sha = hashlib.sha256(data).hexdigest()
    _keep(data, sha)
    if row is None:
        measure = isinstance(owner, CoerciveMeasure)
        row = CoercionDocument(
            measure_id=owner.id if measure else None,
            enforcement_id=None if measure else owner.id,
            kind=kind.value,
            number=number,
        )
        session.add(row)
    row.dated, row.sha256, row.size = day, sha, len(data)
    row.template_version = TEMPLATE_VERSION
    row.generated_by_id, row.generated_at = actor.user_id, utcnow()
    verb = "重新生成" if before else "出具"
    audit.record(
        session,
        actor=actor,
        action="coercion.document",
        obj=row,
        before=before,
        summary=f"{owner.number}：{verb}{title(kind, owner)}（{row.number}）",
        region_code=owner.region_code,
    )
    return row, data


def download(
    session: Session, *, actor: Actor, owner: Owner, kind: CoercionDocKind
) -> tuple[CoercionDocument, bytes]:
    """A generated document as issued, for whoever may read its measure; audited."""
    row = session.scalar(
        select(CoercionDocument).where(_owner_filter(owner), CoercionDocument.kind == kind.value)
    )
    if row is None:
        raise NotFound(f"尚未出具{title(kind, owner)}。")
    path = _store_dir() / f"{row.sha256}.docx"
    if path.exists():
        data = path.read_bytes()
    else:  # the store was lost: the same bytes while nothing changed
        data = render(kind, view_of(session, owner), row.number, row.dated)
    audit.record(
        session,
        actor=actor,
        action="coercion.document_download",
        object_type="coercion_document",
        object_id=str(row.id),
        summary=f"{owner.number}：下载{title(kind, owner)}（{row.number}）",
        region_code=owner.region_code,
    )
    return row, data


def filename(owner: Owner, kind: CoercionDocKind) -> str:
    """A download name."""
    return f"{title(kind, owner)}-{owner.number}.docx"
