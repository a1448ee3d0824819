"""Inspection items (检查事项清单) and their checklists (检查表单).

"行政检查事项未经公布的，不得实施" (国办发〔2024〕54号 §三; docs/rules.md A3): an item is drafted
with its legal basis and checklist, published (公布), and may later be withdrawn (停止使用).
Only a published item of the inspecting subject's own field may be inspected
(``item_problems`` / ``require_inspectable_item``).

Visibility: an actor sees the items of its own region and of the regions above it (items
published by the province or the city apply in every county below) and of the regions below
it. Management: supervisors and system administrators manage items of any field in their
region; an agency administrator only items of its own subject's field.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
    Violation,
)
from wurao.core.ids import IdentifierError, region_parent, validate_region_code
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.time import local_today, utcnow
from wurao.registry.items.methods import METHODS
from wurao.registry.models import ChecklistLine, EnforcementSubject, InspectionItem, Region

# A3: the legal basis must be a 法律, 法规 (行政法规 / 地方性法规), 规章 or 国务院决定.
BASIS_LEVELS = ("法律", "行政法规", "地方性法规", "规章", "国务院决定")
STATUS_LABELS: dict[str, str] = {"draft": "草稿", "published": "已公布", "withdrawn": "已停止使用"}
CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{1,39}$")

A3 = catalogue.A3  # 检查事项已公布
RULE_ID, RULE_TITLE, RULE_SOURCE = A3.id, A3.title, A3.source


def _violation(detail: str, **evidence: object) -> Violation:
    return Violation(
        rule_id=RULE_ID, title=RULE_TITLE, source=RULE_SOURCE, detail=detail, evidence=evidence
    )


def status_label(status: str) -> str:
    """Chinese label of an item's status."""
    return STATUS_LABELS.get(status, status)


def method_labels(methods: str) -> list[str]:
    """Chinese labels of a stored comma list of methods."""
    return [METHODS.get(m, m) for m in methods.split(",") if m]


def region_lineage(code: str) -> list[str]:
    """A region code and the codes of every region above it (town → county → city → province)."""
    out: list[str] = []
    current: str | None = code
    while current:
        out.append(current)
        current = region_parent(current)
    return out


# --- reads ----------------------------------------------------------------------------


def _applicable(actor: Actor) -> ColumnElement[bool]:
    """Items of the actor's region and below, or of a region above it."""
    if actor.role is Role.SYSADMIN:
        return region_filter(actor, InspectionItem.region_code)
    return or_(
        InspectionItem.region_code.in_(region_lineage(actor.region_code)),
        region_filter(actor, InspectionItem.region_code),
    )


def items_visible_to(actor: Actor) -> Select[InspectionItem]:
    """Items that apply in, or were made within, the actor's region."""
    actor.require(Permission.REGISTRY_VIEW)
    return select(InspectionItem).where(_applicable(actor))


def _filtered(stmt: Select[InspectionItem], *, q: str, field: str) -> Select[InspectionItem]:
    q = q.strip()
    if q:
        stmt = stmt.where(
            InspectionItem.code.contains(q, autoescape=True)
            | InspectionItem.name.contains(q, autoescape=True)
            | InspectionItem.basis_law.contains(q, autoescape=True)
        )
    if field.strip():
        stmt = stmt.where(InspectionItem.field == field.strip())
    return stmt


def _page(
    session: Session, stmt: Select[InspectionItem], page: int, per_page: int
) -> Page[InspectionItem]:
    # A page past the end shows the last one (the list keeps its place after withdrawals).
    stmt = stmt.order_by(InspectionItem.field, InspectionItem.code)
    return paginate(session, stmt, page, per_page, clamp=True)


def list_items(
    session: Session,
    *,
    actor: Actor,
    q: str = "",
    field: str = "",
    status: str = "",
    dss: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[InspectionItem]:
    """A page of the items the actor may see, with the total count."""
    stmt = _filtered(items_visible_to(actor), q=q, field=field)
    if status:
        if status not in STATUS_LABELS:
            raise InvalidInput("状态应为草稿、已公布或已停止使用。", field="status")
        stmt = stmt.where(InspectionItem.status == status)
    if dss in ("1", "0"):
        stmt = stmt.where(InspectionItem.on_dss_list.is_(dss == "1"))
    return _page(session, stmt, page, per_page)


def get_item(session: Session, *, actor: Actor, code: str) -> InspectionItem:
    """One item by code, if visible to the actor."""
    item = session.scalar(items_visible_to(actor).where(InspectionItem.code == code.strip()))
    if item is None:
        raise NotFound("检查事项不存在或不适用于您的辖区。")
    return item


def checklist_of(session: Session, item: InspectionItem) -> list[ChecklistLine]:
    """An item's checklist lines in order."""
    return list(
        session.scalars(
            select(ChecklistLine)
            .where(ChecklistLine.item_id == item.id)
            .order_by(ChecklistLine.seq)
        )
    )


_LINE_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def line_key(text: str) -> str:
    """The text a checklist line is compared by (一表通查: a line two items ask in the same
    words is prepared once): NFKC, without whitespace and punctuation."""
    return _LINE_NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


def checklists_of(
    session: Session, items: Sequence[InspectionItem]
) -> dict[int, list[ChecklistLine]]:
    """The checklists of several items in one query, keyed by item id."""
    out: dict[int, list[ChecklistLine]] = {i.id: [] for i in items}
    if not out:
        return out
    rows = session.scalars(
        select(ChecklistLine)
        .where(ChecklistLine.item_id.in_(list(out)))
        .order_by(ChecklistLine.item_id, ChecklistLine.seq)
    )
    for line in rows:
        out[line.item_id].append(line)
    return out


def list_public_items(
    session: Session,
    *,
    region: str = "",
    q: str = "",
    field: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[InspectionItem]:
    """Published items applicable in ``region`` (its own and its ancestors'), for anyone."""
    stmt = select(InspectionItem).where(InspectionItem.status == "published")
    if region.strip():
        try:
            code = validate_region_code(region)
        except IdentifierError as exc:
            raise InvalidInput(exc.reason, field="region") from exc
        stmt = stmt.where(InspectionItem.region_code.in_(region_lineage(code)))
    return _page(session, _filtered(stmt, q=q, field=field), page, per_page)


def get_public_item(session: Session, *, code: str) -> InspectionItem:
    """One published item, for anyone."""
    item = session.scalar(
        select(InspectionItem).where(
            InspectionItem.code == code.strip(), InspectionItem.status == "published"
        )
    )
    if item is None:
        raise NotFound("检查事项不存在或未公布。")
    return item


def item_problems(item: InspectionItem, *, field: str) -> list[Violation]:
    """Why ``item`` may not be inspected by a subject of ``field`` (A3); empty when it may."""
    problems: list[Violation] = []
    if item.status == "draft":
        problems.append(_violation(f"检查事项“{item.name}”未公布，不得实施。", code=item.code))
    elif item.status == "withdrawn":
        problems.append(_violation(f"检查事项“{item.name}”已停止使用。", code=item.code))
    elif item.status != "published":
        problems.append(_violation(f"检查事项“{item.name}”未公布（状态：{item.status}）。"))
    if item.field != field:
        problems.append(
            _violation(
                f"检查事项“{item.name}”属于{item.field}领域，不属于本主体的执法领域（{field}）。",
                item_field=item.field,
                subject_field=field,
            )
        )
    if item.basis_level not in BASIS_LEVELS:
        problems.append(
            _violation(f"检查依据层级“{item.basis_level}”不是法律、法规、规章或国务院决定。")
        )
    return problems


def require_inspectable_item(item: InspectionItem, *, field: str) -> None:
    """Raise RuleViolation unless ``item`` may be inspected by a subject of ``field`` (A3)."""
    problems = item_problems(item, field=field)
    if problems:
        raise RuleViolation(problems)


# --- writes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LineIn:
    """One checklist line as entered."""

    text: str
    basis: str = ""


@dataclass(frozen=True)
class ItemData:
    """Input for creating or editing an item (all fields)."""

    code: str
    name: str
    field: str
    region_code: str
    basis_level: str
    basis_law: str
    basis_article: str = ""
    standard: str = ""
    methods: Sequence[str] = ("onsite",)
    on_dss_list: bool = False


def parse_lines(text: str) -> list[LineIn]:
    """Checklist lines from a textarea: one per line, "内容 | 依据" for a line's own basis."""
    lines: list[LineIn] = []
    for raw in text.splitlines():
        body, _, basis = raw.partition("|")
        if body.strip():
            lines.append(LineIn(text=body.strip(), basis=basis.strip()))
    return lines


def _subject_field(session: Session, actor: Actor) -> str | None:
    if actor.subject_id is None:
        return None
    subject = session.get(EnforcementSubject, actor.subject_id)
    return subject.field if subject is not None else None


def _require_manage(session: Session, actor: Actor, *, field: str, region_code: str) -> None:
    actor.require(Permission.ITEMS_MANAGE)
    if not actor.covers_region(region_code):
        raise Forbidden("只能管理本辖区的检查事项。")
    if actor.role is Role.AGENCY_ADMIN and field != _subject_field(session, actor):
        raise Forbidden("执法主体管理员只能管理本主体执法领域的检查事项。")


def _basis_violation(level: str) -> Violation:
    return Violation(
        rule_id=RULE_ID,
        title="检查依据不合法",
        source=RULE_SOURCE,
        detail=(
            f"检查依据层级“{level or '未填写'}”不符合要求：行政检查依据须为法律、行政法规、"
            "地方性法规、规章或国务院决定，规范性文件等不得设定行政检查。"
        ),
        evidence={"basis_level": level},
    )


def _checked(session: Session, data: ItemData) -> ItemData:
    code = data.code.strip()
    if not CODE_RE.fullmatch(code):
        raise InvalidInput("事项编码应为2–40位字母、数字、点、下划线或连字符。", field="code")
    name = data.name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("请填写事项名称（不超过200字）。", field="name")
    field = data.field.strip()
    if not field or len(field) > 30:
        raise InvalidInput("请填写执法领域（不超过30字）。", field="field")
    try:
        region = validate_region_code(data.region_code)
    except IdentifierError as exc:
        raise InvalidInput(exc.reason, field="region_code") from exc
    if session.get(Region, region) is None:
        raise InvalidInput(f"行政区划代码 {region} 不在区划表中。", field="region_code")
    level = data.basis_level.strip()
    if level not in BASIS_LEVELS:
        raise RuleViolation([_basis_violation(level)])
    law = data.basis_law.strip()
    if not law or len(law) > 200:
        raise InvalidInput("请填写检查依据的法律文件名称（不超过200字）。", field="basis_law")
    article = data.basis_article.strip()
    if len(article) > 100:
        raise InvalidInput("依据条款不能超过100字。", field="basis_article")
    methods = [m.strip() for m in data.methods if m.strip()]
    if not methods:
        raise InvalidInput("请至少选择一种检查方式。", field="methods")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise InvalidInput(f"检查方式“{unknown[0]}”无效。", field="methods")
    ordered = [m for m in METHODS if m in methods]
    return ItemData(
        code=code,
        name=name,
        field=field,
        region_code=region,
        basis_level=level,
        basis_law=law,
        basis_article=article,
        standard=data.standard.strip(),
        methods=ordered,
        on_dss_list=data.on_dss_list,
    )


def create_item(session: Session, *, data: ItemData, actor: Actor) -> InspectionItem:
    """Draft a new item in the actor's region (and, for an agency, its own field)."""
    data = _checked(session, data)
    _require_manage(session, actor, field=data.field, region_code=data.region_code)
    if session.scalar(select(InspectionItem.id).where(InspectionItem.code == data.code)):
        raise Conflict(f"事项编码 {data.code} 已存在。")
    item = InspectionItem(
        code=data.code,
        name=data.name,
        field=data.field,
        region_code=data.region_code,
        basis_level=data.basis_level,
        basis_law=data.basis_law,
        basis_article=data.basis_article,
        standard=data.standard,
        methods=",".join(data.methods),
        on_dss_list=data.on_dss_list,
        status="draft",
        created_at=utcnow(),
    )
    session.add(item)
    audit.record(
        session,
        actor=actor,
        action="item.create",
        obj=item,
        summary=f"起草检查事项 {item.code} {item.name}",
        region_code=item.region_code,
    )
    return item


def _require_draft(item: InspectionItem) -> None:
    if item.status != "draft":
        raise Conflict(
            f"检查事项已{status_label(item.status)}，不能修改；如需调整请停止使用后另行起草。"
        )


def update_item(
    session: Session, *, item: InspectionItem, data: ItemData, actor: Actor
) -> InspectionItem:
    """Edit a draft item (the code stays)."""
    _require_manage(session, actor, field=item.field, region_code=item.region_code)
    _require_draft(item)
    data = _checked(session, dataclasses.replace(data, code=item.code))
    _require_manage(session, actor, field=data.field, region_code=data.region_code)
    before = audit.snapshot(item)
    item.name = data.name
    item.field = data.field
    item.region_code = data.region_code
    item.basis_level = data.basis_level
    item.basis_law = data.basis_law
    item.basis_article = data.basis_article
    item.standard = data.standard
    item.methods = ",".join(data.methods)
    item.on_dss_list = data.on_dss_list
    audit.record(
        session,
        actor=actor,
        action="item.update",
        obj=item,
        before=before,
        summary=f"修改检查事项 {item.code}",
        region_code=item.region_code,
    )
    return item


def set_checklist(
    session: Session, *, item: InspectionItem, lines: Sequence[LineIn], actor: Actor
) -> list[ChecklistLine]:
    """Replace a draft item's checklist with ``lines`` in order (adds, edits, reorders, removes)."""
    _require_manage(session, actor, field=item.field, region_code=item.region_code)
    _require_draft(item)
    clean = [
        LineIn(text=ln.text.strip(), basis=ln.basis.strip()) for ln in lines if ln.text.strip()
    ]
    for ln in clean:
        if len(ln.basis) > 200:
            raise InvalidInput("检查内容的依据不能超过200字。", field="lines")
    old = checklist_of(session, item)
    current = [(ln.text, ln.basis) for ln in old]
    if current == [(ln.text, ln.basis) for ln in clean]:
        return old
    for line in old:
        session.delete(line)
    # Deletes first, so the new rows may reuse the (item_id, seq) pairs.
    session.flush()
    new = [
        ChecklistLine(item_id=item.id, seq=i, text=ln.text, basis=ln.basis)
        for i, ln in enumerate(clean, start=1)
    ]
    session.add_all(new)
    audit.record(
        session,
        actor=actor,
        action="item.checklist",
        object_type="inspection_item",
        object_id=str(item.id),
        before={"lines": current},
        after={"lines": [(ln.text, ln.basis) for ln in clean]},
        covers=[*old, *new],
        summary=f"检查事项 {item.code} 的检查表单：{len(old)} 条改为 {len(new)} 条",
        region_code=item.region_code,
    )
    return new


def publish_item(session: Session, *, item: InspectionItem, actor: Actor) -> InspectionItem:
    """Publish a draft item; refused without a lawful basis or without a checklist (A3)."""
    _require_manage(session, actor, field=item.field, region_code=item.region_code)
    if item.status != "draft":
        raise Conflict(f"只有草稿可以公布（当前：{status_label(item.status)}）。")
    problems: list[Violation] = []
    if item.basis_level not in BASIS_LEVELS:
        problems.append(_basis_violation(item.basis_level))
    if not item.basis_law.strip():
        problems.append(
            Violation(
                rule_id=RULE_ID,
                title="缺少检查依据",
                source=RULE_SOURCE,
                detail="检查事项须载明检查依据（法律文件名称）方可公布。",
            )
        )
    if not checklist_of(session, item):
        problems.append(
            Violation(
                rule_id=RULE_ID,
                title="缺少检查表单",
                source=RULE_SOURCE,
                detail="检查事项须至少有一条检查表单内容方可公布。",
            )
        )
    if problems:
        raise RuleViolation(problems)
    before = audit.snapshot(item)
    item.status = "published"
    item.published_on = local_today()
    audit.record(
        session,
        actor=actor,
        action="item.publish",
        obj=item,
        before=before,
        summary=f"公布检查事项 {item.code} {item.name}",
        region_code=item.region_code,
    )
    return item


def withdraw_item(session: Session, *, item: InspectionItem, actor: Actor) -> InspectionItem:
    """Stop using a published item (停止使用); it can no longer be inspected."""
    _require_manage(session, actor, field=item.field, region_code=item.region_code)
    if item.status != "published":
        raise Conflict(f"只有已公布的检查事项可以停止使用（当前：{status_label(item.status)}）。")
    before = audit.snapshot(item)
    item.status = "withdrawn"
    audit.record(
        session,
        actor=actor,
        action="item.withdraw",
        obj=item,
        before=before,
        summary=f"停止使用检查事项 {item.code} {item.name}",
        region_code=item.region_code,
    )
    return item
