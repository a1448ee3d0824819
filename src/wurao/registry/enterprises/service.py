"""The enterprise registry (检查对象名录库): scoped reads, search, validated writes.

Every read starts from ``enterprises_visible_to(actor)``: only enterprises whose region lies in
the actor's region come back, whatever route asked.

Search (``q``) is either an exact 统一社会信用代码 (normalised first: full-width, spaces,
lower case) or a fragment of the name, and must stay fast at 10 million rows:

* fragments of 3 or more characters use a trigram index — on PostgreSQL the pg_trgm GIN
  index ``ix_enterprise_name_trgm`` serving ``name LIKE '%fragment%'``; on SQLite the FTS5
  table ``enterprise_name_fts`` (trigram tokenizer, external content kept in step by
  triggers; both created by migration 0003_enterprise_search); how a very common fragment
  stays fast is in ``search.py``;
* fragments of 1–2 characters have no trigram, so no index can find them anywhere in a name.
  Within a county-sized scope (the actor's region or the ``region`` filter is a county or a
  town: about 10⁵ rows, reached through the region index) they match anywhere in the name
  by a bounded scan of that scope; in a wider scope they match the *start* of the name only,
  as a range on ``ix_enterprise_name`` (names usually begin with the place name, such as
  衢州…), and ``EnterprisePage.note`` tells the user so.

Totals are counted up to ``COUNT_CAP`` rows only; beyond it the page shows "1000+" (a
name fragment as common as 有限公司 would otherwise make every search count millions of rows).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter, region_in_scope
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Violation
from wurao.core.ids import (
    IdentifierError,
    normalize_uscc,
    region_scope_prefix,
    uscc_org_code_warning,
    uscc_region,
    validate_region_code,
    validate_uscc,
)
from wurao.core.paging import PER_PAGE, paginate
from wurao.core.time import utcnow
from wurao.registry.enterprises import search
from wurao.registry.models import Enterprise, Region

COUNT_CAP = 1_000
MIN_TRIGRAM = 3

STATUS_LABELS: dict[str, str] = {
    "active": "存续",
    "deregistered": "注销",
    "revoked": "吊销",
    "moved": "迁出",
}
CREDIT_CLASSES = ("A", "B", "C", "D")
# GB/T 4754-2017: a section letter A–T, optionally followed by the 2-digit division,
# 3-digit group or 4-digit class (C, C13, C131, C1311); or the digits alone (13, 131, 1311).
INDUSTRY_RE = re.compile(r"^(?:[A-T](?:[0-9]{2,4})?|[0-9]{2,4})$")
MAX_TAGS_LENGTH = 200

TARGET_STATUS = catalogue.TARGET_STATUS  # 检查对象状态
TARGET_STATUS_RULE, TARGET_STATUS_TITLE = TARGET_STATUS.id, TARGET_STATUS.title
TARGET_STATUS_SOURCE = TARGET_STATUS.source


def status_label(status: str) -> str:
    """Chinese label of a stored status (存续/注销/吊销/迁出)."""
    return STATUS_LABELS.get(status, status)


def parse_status(value: str) -> str:
    """A status given as its code or its Chinese label, as the stored code."""
    value = value.strip()
    if value in STATUS_LABELS:
        return value
    for code, label in STATUS_LABELS.items():
        if value == label:
            return code
    raise InvalidInput("登记状态应为存续、注销、吊销或迁出。", field="status")


def parse_credit_class(value: str) -> str:
    """A credit class A–D (case and full-width folded)."""
    code = normalize_uscc(value)
    if code not in CREDIT_CLASSES:
        raise InvalidInput("信用等级应为A、B、C、D之一。", field="credit_class")
    return code


def parse_industry_code(value: str) -> str:
    """A GB/T 4754 industry code of the right shape ("" when not given)."""
    code = normalize_uscc(value)
    if code and not INDUSTRY_RE.fullmatch(code):
        raise InvalidInput(
            "国民经济行业代码（GB/T 4754）应为门类字母加2–4位数字（如C1311）或2–4位数字。",
            field="industry_code",
        )
    return code


def tags_to_list(stored: str) -> list[str]:
    """The tags of a stored "|a|b|" string."""
    return [t for t in stored.split("|") if t]


def tags_to_store(tags: Sequence[str] | str) -> str:
    """Tags (a list, or one string separated by commas, 、, spaces or |) as "|a|b|"."""
    raw = re.split(r"[,，、;；|\s]+", tags) if isinstance(tags, str) else list(tags)
    clean: list[str] = []
    for tag in raw:
        tag = tag.strip()
        if "|" in tag:
            raise InvalidInput("标签不能包含“|”。", field="tags")
        if tag and tag not in clean:
            clean.append(tag)
    stored = "|" + "|".join(clean) + "|" if clean else ""
    if len(stored) > MAX_TAGS_LENGTH:
        raise InvalidInput(f"标签总长度不能超过{MAX_TAGS_LENGTH}个字符。", field="tags")
    return stored


# --- reads ----------------------------------------------------------------------------


def enterprises_visible_to(actor: Actor) -> Select[Enterprise]:
    """Enterprises within the actor's region."""
    actor.require(Permission.REGISTRY_VIEW)
    return select(Enterprise).where(region_filter(actor, Enterprise.region_code))


@dataclass(frozen=True)
class EnterprisePage:
    """One page of a search, with a total counted up to ``COUNT_CAP``."""

    rows: list[Enterprise]
    total: int
    capped: bool
    page: int
    per_page: int
    note: str = ""

    @property
    def total_label(self) -> str:
        """The total for display: "1000+" when counting stopped at the cap."""
        return f"{self.total}+" if self.capped else str(self.total)

    @property
    def pages(self) -> int:
        """Number of pages (up to the counted total)."""
        return max(1, math.ceil(self.total / self.per_page))


def _as_uscc(q: str) -> str | None:
    try:
        return validate_uscc(q, allow_bad_check=True)
    except IdentifierError:
        return None


SHORT_NOTE = (
    "检索词不足3个字且范围大于区县，仅按名称开头匹配；输入3个字以上或选择区县可按名称任意部分检索。"
)


def _region_prefix(actor: Actor, region: str) -> str:
    """The scope prefix of a ``region`` filter, which must lie within the actor's region."""
    try:
        code = validate_region_code(region)
    except IdentifierError as exc:
        raise InvalidInput(exc.reason, field="region") from exc
    if not actor.covers_region(code):
        raise Forbidden("所选区划不在您的辖区内。")
    return region_scope_prefix(code)


def list_enterprises(
    session: Session,
    *,
    actor: Actor,
    q: str = "",
    status: str = "",
    credit: str = "",
    industry: str = "",
    tag: str = "",
    region: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> EnterprisePage:
    """A page of the enterprises the actor may see, filtered; the total is capped."""
    stmt = enterprises_visible_to(actor)
    scope = "" if actor.role is Role.SYSADMIN else actor.scope_prefix
    if region.strip():
        scope = _region_prefix(actor, region)
        stmt = stmt.where(region_in_scope(Enterprise.region_code, scope))
    note = fragment = ""
    short: tuple[ColumnElement[bool], ColumnElement[bool]] | None = None  # (scan, indexed)
    q = q.strip()
    if q:
        code = _as_uscc(q)
        if code is not None:
            stmt = stmt.where(Enterprise.uscc == code)
        elif len(q) >= MIN_TRIGRAM:
            fragment = q
        elif len(scope) >= 6:  # a county or a town: a bounded scan finds it anywhere
            short = search.contains(session, q, indexable=False), search.contains(session, q)
        else:
            short = search.starts_with(q, indexable=False), search.starts_with(q)
            note = SHORT_NOTE
    if status:
        stmt = stmt.where(Enterprise.status == parse_status(status))
    if credit:
        stmt = stmt.where(Enterprise.credit_class == parse_credit_class(credit))
    if industry:
        stmt = stmt.where(Enterprise.industry_code.startswith(parse_industry_code(industry)))
    if tag.strip():
        stmt = stmt.where(Enterprise.tags.contains(f"|{tag.strip()}|", autoescape=True))
    if fragment:
        found = search.name_page(
            session, stmt, fragment, narrow=len(scope) >= 6, cap=COUNT_CAP, page=page,
            per_page=per_page,
        )  # fmt: skip
        return EnterprisePage(found.rows, found.total, found.capped, found.page, per_page, note)
    if short is not None:
        found = search.probed(
            session, stmt, scan=short[0], indexed=short[1], cap=COUNT_CAP, page=page,
            per=per_page,
        )  # fmt: skip
        return EnterprisePage(found.rows, found.total, found.capped, found.page, per_page, note)
    counted = stmt.with_only_columns(Enterprise.id).order_by(None).limit(COUNT_CAP + 1)
    total = int(session.scalar(select(func.count()).select_from(counted.subquery())) or 0)
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    listed = paginate(
        session, stmt.order_by(Enterprise.id), page, per_page, clamp=True, total=total
    )
    return EnterprisePage(listed.items, total, capped, listed.page, per_page, note)


def get_by_uscc(session: Session, *, actor: Actor, uscc: str) -> Enterprise:
    """One enterprise by its 统一社会信用代码, if within the actor's region."""
    code = normalize_uscc(uscc)
    enterprise = session.scalar(enterprises_visible_to(actor).where(Enterprise.uscc == code))
    if enterprise is None:
        raise NotFound("检查对象不存在或不在您的辖区内。")
    return enterprise


def enterprise_warnings(enterprise: Enterprise) -> list[str]:
    """Warnings to show beside a record: G1a organisation code, a recorded G1 override."""
    warnings: list[str] = []
    try:
        org = uscc_org_code_warning(enterprise.uscc)
    except IdentifierError:
        org = None
    if org:
        warnings.append(org)
    if enterprise.uscc_override:
        warnings.append(f"统一社会信用代码校验位不符，已记录例外：{enterprise.uscc_override}")
    return warnings


def enterprise_problems(enterprise: Enterprise) -> list[Violation]:
    """Why this enterprise may not be inspected: deregistered or revoked (else empty)."""
    if enterprise.status not in ("deregistered", "revoked"):
        return []
    label = status_label(enterprise.status)
    return [
        Violation(
            rule_id=TARGET_STATUS_RULE,
            title=TARGET_STATUS_TITLE,
            source=TARGET_STATUS_SOURCE,
            detail=f"{enterprise.name}已{label}，不得对其开展行政检查。",
            evidence={"uscc": enterprise.uscc, "status": enterprise.status},
        )
    ]


# --- writes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewEnterprise:
    """Input for registering an enterprise."""

    uscc: str
    name: str
    region_code: str = ""
    address: str = ""
    industry_code: str = ""
    status: str = "active"
    credit_class: str = "B"
    tags: Sequence[str] | str = ()
    contact_name: str = ""
    contact_phone: str = ""
    uscc_override: str = ""  # the recorded reason to accept a code failing only its check digit


def _checked_uscc(raw: str, override: str) -> tuple[str, str]:
    """The normalised code and the stored override reason (G1, BLOCK with recorded override)."""
    try:
        return validate_uscc(raw), ""
    except IdentifierError as exc:
        reason = override.strip()
        if not reason:
            raise InvalidInput(exc.reason, field="uscc") from exc
        try:
            # Only a bad check digit may be overridden; a format fault stays fatal.
            code = validate_uscc(raw, allow_bad_check=True)
        except IdentifierError as fatal:
            raise InvalidInput(fatal.reason, field="uscc") from fatal
    if len(reason) > 200:
        raise InvalidInput("例外理由不能超过200个字。", field="uscc_override")
    return code, reason


def _checked_region(session: Session, actor: Actor, raw: str, uscc: str) -> str:
    if not raw.strip():
        hint = ""
        try:
            guess = uscc_region(uscc)
        except IdentifierError:
            guess = ""
        region = session.get(Region, guess) if guess else None
        if region is not None:
            hint = f"可参考统一社会信用代码第3–8位登记机关区划：{guess}（{region.name}）。"
        raise InvalidInput("请填写检查对象所在行政区划代码。" + hint, field="region_code")
    try:
        code = validate_region_code(raw)
    except IdentifierError as exc:
        raise InvalidInput(exc.reason, field="region_code") from exc
    if session.get(Region, code) is None:
        raise InvalidInput(f"行政区划代码 {code} 不在区划表中。", field="region_code")
    if not actor.covers_region(code):
        raise Forbidden("不能在本辖区以外登记或迁入检查对象。")
    return code


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("请填写检查对象名称。", field="name")
    if len(name) > 200:
        raise InvalidInput("名称不能超过200个字。", field="name")
    return name


def _checked_text(value: str, *, field: str, label: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}个字。", field=field)
    return value


def create_enterprise(session: Session, *, data: NewEnterprise, actor: Actor) -> Enterprise:
    """Register an enterprise in the actor's region (G1 validated, override recorded)."""
    actor.require(Permission.ENTERPRISES_MANAGE)
    uscc, override = _checked_uscc(data.uscc, data.uscc_override)
    enterprise = Enterprise(
        uscc=uscc,
        name=_checked_name(data.name),
        region_code=_checked_region(session, actor, data.region_code, uscc),
        address=_checked_text(data.address, field="address", label="地址", limit=300),
        industry_code=parse_industry_code(data.industry_code),
        status=parse_status(data.status),
        credit_class=parse_credit_class(data.credit_class),
        tags=tags_to_store(data.tags),
        contact_name=_checked_text(
            data.contact_name, field="contact_name", label="联系人", limit=60
        ),
        contact_phone=_checked_text(
            data.contact_phone, field="contact_phone", label="联系电话", limit=30
        ),
        uscc_override=override,
        updated_at=utcnow(),
    )
    if session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc)) is not None:
        raise Conflict(f"统一社会信用代码 {uscc} 已在名录库中。")
    session.add(enterprise)
    summary = f"登记检查对象 {enterprise.name}（{uscc}）"
    if override:
        summary += f"；校验位例外：{override}"
    audit.record(
        session,
        actor=actor,
        action="enterprise.create",
        obj=enterprise,
        summary=summary,
        region_code=enterprise.region_code,
    )
    return enterprise


def update_enterprise(
    session: Session,
    *,
    enterprise: Enterprise,
    actor: Actor,
    name: str | None = None,
    region_code: str | None = None,
    address: str | None = None,
    industry_code: str | None = None,
    status: str | None = None,
    credit_class: str | None = None,
    tags: Sequence[str] | str | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
) -> Enterprise:
    """Change an enterprise's record (fields left None stay as they are); the USCC is fixed."""
    actor.require(Permission.ENTERPRISES_MANAGE)
    if not actor.covers_region(enterprise.region_code):
        raise NotFound("检查对象不存在或不在您的辖区内。")
    before = audit.snapshot(enterprise)
    if name is not None:
        enterprise.name = _checked_name(name)
    if region_code is not None:
        enterprise.region_code = _checked_region(session, actor, region_code, enterprise.uscc)
    if address is not None:
        enterprise.address = _checked_text(address, field="address", label="地址", limit=300)
    if industry_code is not None:
        enterprise.industry_code = parse_industry_code(industry_code)
    if status is not None:
        enterprise.status = parse_status(status)
    if credit_class is not None:
        enterprise.credit_class = parse_credit_class(credit_class)
    if tags is not None:
        enterprise.tags = tags_to_store(tags)
    if contact_name is not None:
        enterprise.contact_name = _checked_text(
            contact_name, field="contact_name", label="联系人", limit=60
        )
    if contact_phone is not None:
        enterprise.contact_phone = _checked_text(
            contact_phone, field="contact_phone", label="联系电话", limit=30
        )
    enterprise.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="enterprise.update",
        obj=enterprise,
        before=before,
        summary=f"修改检查对象 {enterprise.name}（{enterprise.uscc}）",
        region_code=enterprise.region_code,
    )
    return enterprise
