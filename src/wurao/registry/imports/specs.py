"""How one row of a registry's spreadsheet becomes table values (the sheets themselves —
titles, headers, keys — are declared in ``sheets``).

A spec names the sheet's Chinese column headers, the natural key used for upserts
(re-importing the same file changes nothing) and a row parser that returns the values or the
list of (column, value, reason) problems — every problem of the row, never only the first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.core.ids import (
    IdentifierError,
    mask_ric,
    region_parent,
    validate_region_code,
    validate_ric,
    validate_uscc,
)
from wurao.core.time import local_today
from wurao.registry.items.methods import IMPORT_NAMES
from wurao.registry.models import (
    EnforcementSubject,
    Enterprise,
    Region,
)

Problem = tuple[str, str, str]  # column header, value as given, reason (Chinese)

STATUS = {
    "存续": "active",
    "在业": "active",
    "注销": "deregistered",
    "吊销": "revoked",
    "迁出": "moved",
}
STATUS_LABEL = {v: k for k, v in STATUS.items() if k != "在业"}
SUBJECT_KIND = {"行政机关": "organ", "法律法规授权组织": "authorised", "受委托组织": "entrusted"}
OFFICER_KIND = {"执法人员": "officer", "辅助人员": "auxiliary"}
METHODS = IMPORT_NAMES  # "现场"/"非现场"/"书面核查" → stored value (registry/items/methods.py)
BASIS_LEVELS = ("法律", "行政法规", "地方性法规", "规章", "国务院决定")
YES = {"是", "Y", "y", "1", "TRUE", "true", "有"}
NO = {"否", "N", "n", "0", "FALSE", "false", "无", ""}


@dataclass
class Context:
    """Lookups shared by the rows of one import (loaded once, not per row)."""

    session: Session
    actor: Actor
    today: dt.date = field(default_factory=local_today)
    regions: set[str] = field(default_factory=set)
    subjects_by_uscc: dict[str, int] = field(default_factory=dict)
    subject_region: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, actor: Actor) -> Context:
        """Read the region table and subjects once."""
        ctx = cls(session=session, actor=actor)
        ctx.regions = set(session.scalars(select(Region.code)))
        for sid, uscc, region in session.execute(
            select(EnforcementSubject.id, EnforcementSubject.uscc, EnforcementSubject.region_code)
        ):
            ctx.subjects_by_uscc[uscc] = sid
            ctx.subject_region[sid] = region
        return ctx


@dataclass(frozen=True)
class Spec:
    """One registry's sheet."""

    kind: str
    title: str
    model: type[Any]
    key: str
    headers: tuple[str, ...]
    required: frozenset[str]
    example: tuple[str, ...]
    parse: Callable[[dict[str, str], Context], tuple[dict[str, Any] | None, list[Problem]]]
    export_row: Callable[[Any], tuple[Any, ...]]
    note: str = ""


def _text(row: dict[str, str], header: str) -> str:
    return (row.get(header) or "").strip()


def _date(row: dict[str, str], header: str, problems: list[Problem]) -> dt.date | None:
    raw = _text(row, header)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw.replace("/", "-").replace(".", "-")[:10])
    except ValueError:
        problems.append((header, raw, "日期格式应为 YYYY-MM-DD"))
        return None


def _bool(row: dict[str, str], header: str, problems: list[Problem]) -> bool:
    raw = _text(row, header)
    if raw in YES:
        return True
    if raw in NO:
        return False
    problems.append((header, raw, "应填“是”或“否”"))
    return False


def _choice(
    row: dict[str, str], header: str, options: dict[str, str], problems: list[Problem], default: str
) -> str:
    raw = _text(row, header)
    if not raw:
        return default
    if raw in options:
        return options[raw]
    problems.append((header, raw, "应为：" + "、".join(options)))
    return default


def _region(row: dict[str, str], header: str, ctx: Context, problems: list[Problem]) -> str:
    raw = _text(row, header)
    try:
        code = validate_region_code(raw)
    except IdentifierError as exc:
        problems.append((header, raw, exc.reason))
        return raw
    if code not in ctx.regions:
        problems.append((header, raw, "行政区划代码不在区划表中"))
    elif not ctx.actor.covers_region(code):
        problems.append((header, raw, "不在您的辖区内"))
    return code


def _uscc(row: dict[str, str], header: str, problems: list[Problem], override: str = "") -> str:
    raw = _text(row, header)
    try:
        return validate_uscc(raw, allow_bad_check=bool(override))
    except IdentifierError as exc:
        problems.append((header, raw, exc.reason))
        return raw


def _required(row: dict[str, str], spec_required: frozenset[str], problems: list[Problem]) -> None:
    for header in sorted(spec_required):
        if not _text(row, header):
            problems.append((header, "", "必填"))


# --- regions ------------------------------------------------------------------------------

REGION_LEVELS = {"省级": "province", "地级": "prefecture", "县级": "county", "乡级": "town"}


def parse_region(row: dict[str, str], ctx: Context) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []
    _required(row, REGIONS_REQUIRED, problems)
    raw = _text(row, "代码")
    try:
        code = validate_region_code(raw)
    except IdentifierError as exc:
        problems.append(("代码", raw, exc.reason))
        code = raw
    level = _choice(row, "级别", REGION_LEVELS, problems, "county")
    parent = _text(row, "上级代码") or region_parent(code) if not problems else None
    if parent and parent not in ctx.regions:
        problems.append(("上级代码", parent, "上级区划不在区划表中（请先导入上级）"))
    if problems:
        return None, problems
    ctx.regions.add(code)
    return {"code": code, "name": _text(row, "名称"), "level": level, "parent_code": parent}, []


REGIONS_REQUIRED = frozenset({"代码", "名称", "级别"})

# --- enforcement subjects -----------------------------------------------------------------


def parse_subject(row: dict[str, str], ctx: Context) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []
    _required(row, SUBJECTS_REQUIRED, problems)
    values = {
        "name": _text(row, "主体名称"),
        "uscc": _uscc(row, "统一社会信用代码", problems),
        "region_code": _region(row, "行政区划代码", ctx, problems),
        "field": _text(row, "执法领域"),
        "level": _text(row, "层级"),
        "kind": _choice(row, "主体类别", SUBJECT_KIND, problems, "organ"),
        "confirmed_on": _date(row, "确认日期", problems),
        "confirmed_by": _text(row, "确认机关"),
        "announced_on": _date(row, "公告日期", problems),
        "announcement_ref": _text(row, "公告文号"),
    }
    if values["announced_on"] and not values["confirmed_on"]:
        problems.append(("公告日期", _text(row, "公告日期"), "未确认的主体不能公告"))
    return (None, problems) if problems else (values, [])


SUBJECTS_REQUIRED = frozenset({"主体名称", "统一社会信用代码", "行政区划代码", "执法领域", "层级"})

# --- officers -----------------------------------------------------------------------------

REVIEW = {"通过": "passed", "合格": "passed", "不通过": "failed", "不合格": "failed"}


def parse_officer(row: dict[str, str], ctx: Context) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []
    _required(row, OFFICERS_REQUIRED, problems)
    raw_ric = _text(row, "居民身份证号")
    try:
        ric = validate_ric(raw_ric, today=ctx.today)
    except IdentifierError as exc:
        # The problem table shows the number masked: it is personal data.
        problems.append(("居民身份证号", mask_ric(raw_ric) if raw_ric else "", exc.reason))
        ric = raw_ric
    subject_uscc = _text(row, "所属主体信用代码")
    subject_id = ctx.subjects_by_uscc.get(subject_uscc)
    if subject_uscc and subject_id is None:
        problems.append(("所属主体信用代码", subject_uscc, "执法主体不存在（请先导入执法主体）"))
    elif subject_id is not None:
        if ctx.actor.subject_id is not None and ctx.actor.subject_id != subject_id:
            problems.append(("所属主体信用代码", subject_uscc, "只能导入本主体的人员"))
        elif not ctx.actor.covers_region(ctx.subject_region[subject_id]):
            problems.append(("所属主体信用代码", subject_uscc, "不在您的辖区内"))
    kind = _choice(row, "人员类别", OFFICER_KIND, problems, "officer")
    cert_no = _text(row, "执法证号") or None
    valid_from = _date(row, "证件有效期起", problems)
    valid_to = _date(row, "证件有效期止", problems)
    if kind == "auxiliary" and cert_no:
        problems.append(("执法证号", cert_no, "辅助人员不持有行政执法证"))
    if kind == "officer" and not cert_no:
        problems.append(("执法证号", "", "执法人员须填写执法证号"))
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(("证件有效期止", _text(row, "证件有效期止"), "早于有效期起"))
    review_year_raw = _text(row, "审验年度")
    review_year = None
    if review_year_raw:
        if review_year_raw.isdigit() and 2000 <= int(review_year_raw) <= ctx.today.year:
            review_year = int(review_year_raw)
        else:
            problems.append(("审验年度", review_year_raw, "应为不晚于今年的四位年份"))
    review = _choice(row, "审验结果", REVIEW, problems, "")
    values = {
        "name": _text(row, "姓名"),
        "ric": ric,
        "subject_id": subject_id,
        "kind": kind,
        "aux_kind": _text(row, "辅助人员类型") if kind == "auxiliary" else "",
        "cert_no": cert_no,
        "cert_valid_from": valid_from,
        "cert_valid_to": valid_to,
        "review_year": review_year,
        "review_result": review,
        "legal_qualified": _bool(row, "法律职业资格", problems),
        "supervision_cert_no": _text(row, "执法监督证号") or None,
        "active": True,
    }
    return (None, problems) if problems else (values, [])


OFFICERS_REQUIRED = frozenset({"姓名", "居民身份证号", "所属主体信用代码", "人员类别"})

# --- enterprises --------------------------------------------------------------------------

CREDIT = {"A": "A", "B": "B", "C": "C", "D": "D"}


def parse_enterprise(
    row: dict[str, str], ctx: Context
) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []
    _required(row, ENTERPRISES_REQUIRED, problems)
    override = _text(row, "代码校验例外说明")
    industry = _text(row, "行业代码").upper()
    if industry and not (
        (industry[0].isalpha() and industry[1:].isdigit() and len(industry) <= 5)
        or (industry.isdigit() and 2 <= len(industry) <= 4)
    ):
        problems.append(("行业代码", industry, "应为GB/T 4754门类字母或2–4位数字代码"))
    tags = [
        t.strip() for t in _text(row, "重点监管标签").replace("，", ",").split(",") if t.strip()
    ]
    values = {
        "uscc": _uscc(row, "统一社会信用代码", problems, override),
        "name": _text(row, "企业名称"),
        "region_code": _region(row, "行政区划代码", ctx, problems),
        "address": _text(row, "地址"),
        "industry_code": industry,
        "status": _choice(row, "登记状态", STATUS, problems, "active"),
        "credit_class": _choice(row, "信用风险分类", CREDIT, problems, "B"),
        "tags": "|" + "|".join(tags) + "|" if tags else "",
        "contact_name": _text(row, "联系人"),
        "contact_phone": _text(row, "联系电话"),
        "uscc_override": override,
    }
    return (None, problems) if problems else (values, [])


ENTERPRISES_REQUIRED = frozenset({"统一社会信用代码", "企业名称", "行政区划代码"})

# --- inspection items ---------------------------------------------------------------------


def parse_item(row: dict[str, str], ctx: Context) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []
    _required(row, ITEMS_REQUIRED, problems)
    level = _text(row, "依据层级")
    if level and level not in BASIS_LEVELS:
        problems.append(("依据层级", level, "检查事项的依据须为" + "、".join(BASIS_LEVELS)))
    methods: list[str] = []
    for m in _text(row, "检查方式").replace("，", ",").replace("、", ",").split(","):
        if not m.strip():
            continue
        if m.strip() not in METHODS:
            problems.append(("检查方式", m, "应为：" + "、".join(METHODS)))
        else:
            methods.append(METHODS[m.strip()])
    lines = [ln.strip() for ln in _text(row, "检查表单（每行一条）").splitlines() if ln.strip()]
    values = {
        "code": _text(row, "事项编码"),
        "name": _text(row, "事项名称"),
        "field": _text(row, "执法领域"),
        "region_code": _region(row, "发布区划代码", ctx, problems),
        "basis_level": level,
        "basis_law": _text(row, "依据法律法规"),
        "basis_article": _text(row, "依据条款"),
        "standard": _text(row, "检查标准"),
        "methods": ",".join(methods) or "onsite",
        "on_dss_list": _bool(row, "双随机抽查事项", problems),
        "_lines": lines,
    }
    return (None, problems) if problems else (values, [])


ITEMS_REQUIRED = frozenset(
    {"事项编码", "事项名称", "执法领域", "发布区划代码", "依据层级", "依据法律法规"}
)


# --- 执法监督员 and 企业联系点 (registry/monitors) ------------------------------------------

MONITOR_STATUS = {"在聘": "active", "已解聘": "revoked", "解聘": "revoked"}
CONTACT_STATUS = {"有效": "active", "已撤销": "ended", "撤销": "ended"}


def parse_monitor(row: dict[str, str], ctx: Context) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []
    _required(row, MONITORS_REQUIRED, problems)
    raw_ric = _text(row, "居民身份证号")
    try:
        ric = validate_ric(raw_ric, today=ctx.today)
    except IdentifierError as exc:
        problems.append(("居民身份证号", mask_ric(raw_ric) if raw_ric else "", exc.reason))
        ric = raw_ric
    valid_from = _date(row, "聘期起", problems)
    valid_to = _date(row, "聘期止", problems)
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(("聘期止", _text(row, "聘期止"), "早于聘期起"))
    values = {
        "name": _text(row, "姓名"),
        "ric": ric,
        "region_code": _region(row, "行政区划代码", ctx, problems),
        "organ": _text(row, "工作单位"),
        "appointed_by": _text(row, "聘任机关"),
        "appointment_no": _text(row, "聘任文号"),
        "valid_from": valid_from,
        "valid_to": valid_to,
        "phone": _text(row, "联系电话"),
        "status": _choice(row, "状态", MONITOR_STATUS, problems, "active"),
    }
    return (None, problems) if problems else (values, [])


MONITORS_REQUIRED = frozenset(
    {"姓名", "居民身份证号", "行政区划代码", "聘任机关", "聘任文号", "聘期起", "聘期止"}
)


def parse_contact_point(
    row: dict[str, str], ctx: Context
) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []
    _required(row, CONTACT_POINTS_REQUIRED, problems)
    uscc = _uscc(row, "企业统一社会信用代码", problems)
    found = ctx.session.execute(
        select(Enterprise.id, Enterprise.region_code).where(Enterprise.uscc == uscc)
    ).first()
    region = ""
    if found is None:
        if uscc and not problems:
            problems.append(
                ("企业统一社会信用代码", uscc, "检查对象名录中没有该企业（请先导入企业）")
            )
    else:
        region = found[1]
        if not ctx.actor.covers_region(region):
            problems.append(("企业统一社会信用代码", uscc, "不在您的辖区内"))
    since = _date(row, "设立日期", problems)
    if since and since > ctx.today:
        problems.append(("设立日期", _text(row, "设立日期"), "不能晚于今天"))
    values = {
        "enterprise_id": found[0] if found else None,
        "region_code": region,
        "contact_name": _text(row, "联系人"),
        "phone": _text(row, "联系电话"),
        "since": since,
        "status": _choice(row, "状态", CONTACT_STATUS, problems, "active"),
    }
    return (None, problems) if problems else (values, [])


CONTACT_POINTS_REQUIRED = frozenset({"企业统一社会信用代码", "联系人", "设立日期"})
