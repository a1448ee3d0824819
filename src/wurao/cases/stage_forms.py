"""The form of each step of a case: its fields, their parsing and the one service call it makes.

Why declared as data: the page (``cases.stage_pages``) renders, re-renders with errors and
submits every step the same way; only the fields, the rules the law puts on the step (the
catalogue's entries, docs/cases.md "Stages and the rule that guards each step") and the
service function differ. Amounts are typed in 元 and stored in fen exactly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.cases import clocks, decision, execution, investigation, notice, service
from wurao.cases.access import check_handle, check_review
from wurao.cases.models import CaseEvidence, CaseSuspension, PenaltyCase
from wurao.cases.schemas import MAX_FEN
from wurao.cases.service import Done
from wurao.cases.statuses import (
    CASE_LIFECYCLE,
    PaymentChannel,
    PenaltyKind,
    ServiceMethod,
    SuspensionKind,
)
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, InvalidInput, NotFound, Violation
from wurao.core.rules import RuleDef
from wurao.registry.models import Officer
from wurao.web.forms import form_date, required_int
from wurao.web.params import MAX_YEAR, MIN_YEAR

Values = dict[str, Any]
Raw = Mapping[str, str | list[str]]

# Fullwidth digits and point, as a Chinese input method types them; any other non-ASCII digit
# ("²", Arabic-Indic …) is refused, as web/forms.py refuses them in whole numbers.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_AMOUNT = re.compile(r"([0-9]{1,12})(?:\.([0-9]{1,2}))?")
_TOO_PRECISE = re.compile(r"[0-9]+\.[0-9]{3,}")


def form_yuan(value: str, field: str) -> int | None:
    """An amount typed in 元 (up to two decimals) as fen, exactly; None when empty."""
    cleaned = value.strip().translate(_FULLWIDTH).removesuffix("元").strip()
    if not cleaned:
        return None
    found = _AMOUNT.fullmatch(cleaned)
    if found is None:
        if _TOO_PRECISE.fullmatch(cleaned):
            raise InvalidInput("金额最多保留两位小数（到分）。", field=field)
        raise InvalidInput("请填写以元为单位的金额，如 3000 或 3000.50。", field=field)
    fen = int(found.group(1)) * 100 + int((found.group(2) or "").ljust(2, "0"))
    if fen > MAX_FEN:
        raise InvalidInput("金额过大。", field=field)
    return fen


def yuan_input(fen: int) -> str:
    """An amount in fen as a form value in 元 (``3000`` or ``3000.50``)."""
    whole, cents = divmod(fen, 100)
    return str(whole) if cents == 0 else f"{whole}.{cents:02d}"


@dataclass(frozen=True)
class Field:
    """One input of a step's form; ``name`` is the field the service names in its errors."""

    name: str
    label: str
    # date | text | textarea | yuan | kinds | select | check | officer | suspension | file
    kind: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    arg: str = ""  # the service's keyword when it differs from the name (amounts: ``*_fen``)


@dataclass(frozen=True)
class StepForm:
    """A step's form: its title, fields, the rules guarding it and its service call."""

    action: str
    title: str
    fields: tuple[Field, ...]
    rules: tuple[RuleDef, ...]
    service: Callable[..., object]  # called with the session, actor, case and the fields
    note: str = ""  # what the law requires besides the coded rules, in Chinese
    review: bool = False  # the 法制审核 reviewer's step, not the investigators'
    fixed: tuple[tuple[str, object], ...] = ()  # arguments the form does not ask for

    def run(
        self, session: Session, actor: Actor, case: PenaltyCase, values: Values
    ) -> list[Violation]:
        """Call the step's service with the parsed values; the warnings it returned."""
        kwargs = {f.arg or f.name: values.get(f.name) for f in self.fields}
        done = self.service(session, actor=actor, case=case, **kwargs, **dict(self.fixed))
        return done.warnings if isinstance(done, Done) else []

    @property
    def multipart(self) -> bool:
        """Whether the form uploads a file."""
        return any(f.kind == "file" for f in self.fields)


def _choices(enum: Any) -> tuple[tuple[str, str], ...]:
    return tuple((e.value, e.label) for e in enum)


def _date(name: str, label: str) -> Field:
    return Field(name, label, "date", required=True)


KINDS = Field("kinds", "处罚种类", "kinds", choices=_choices(PenaltyKind))
FINE = Field("fine", "罚款金额（元）", "yuan", hint="以元为单位，最多两位小数", arg="fine_fen")
CONFISCATION = Field(
    "confiscation", "没收违法所得、非法财物金额（元）", "yuan", arg="confiscation_fen"
)
REASONS = Field("reasons", "处罚理由（说理）", "textarea", True, hint="事实、证据、依据和裁量理由")
REMEDY = Field("remedy", "救济途径", "textarea", True)


def parse(form: StepForm, raw: Raw) -> Values:
    """The typed values of a submitted form; InvalidInput names the first bad field."""
    values: Values = {}
    for f in form.fields:
        got = raw.get(f.name, "")
        text = got if isinstance(got, str) else (got[0] if got else "")
        if f.kind == "date":
            day = form_date(text, f.name)
            if day is None and f.required:
                raise InvalidInput(f"请填写{f.label}。", field=f.name)
            if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
                raise InvalidInput(f"{f.label}应在{MIN_YEAR}至{MAX_YEAR}年之间。", field=f.name)
            values[f.name] = day
        elif f.kind == "yuan":
            values[f.name] = form_yuan(text, f.name) or 0
        elif f.kind == "kinds":
            values[f.name] = set(got) if isinstance(got, list) else ({got} if got else set())
        elif f.kind == "check":
            values[f.name] = text in ("1", "on", "true")
        elif f.kind in ("officer", "suspension"):
            values[f.name] = required_int(text, f.name)
        elif f.kind != "file":
            values[f.name] = text
    return values


# --- the one service call of a step with two ---------------------------------------------


def add_evidence(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    upload: tuple[str, BinaryIO] | None,
    filename: str,
    sha256: str,
    uri: str,
    description: str,
    on: dt.date | None,
) -> CaseEvidence:
    """A file uploaded (stored by its SHA-256), else a recording kept elsewhere by its digest."""
    if upload is not None:
        return investigation.add_evidence_file(
            session, actor=actor, case=case, filename=upload[0], stream=upload[1],
            description=description, on=on,
        )  # fmt: skip
    if sha256.strip() or uri.strip():
        return investigation.add_evidence_external(
            session, actor=actor, case=case, filename=filename, sha256=sha256, uri=uri,
            description=description, on=on,
        )  # fmt: skip
    raise InvalidInput("请选择文件，或填写外部音视频的 SHA-256 和存放位置。", field="file")


# --- the forms ---------------------------------------------------------------------------

R = catalogue
_REASON = Field("reason", "理由", "textarea", True)
_OPINION = Field("opinion", "法制审核意见", "textarea", True)
_REVIEW_FIELDS = (_date("on", "审核日期"), _OPINION)
FORMS: dict[str, StepForm] = {
    f.action: f
    for f in (
        StepForm(
            "file", "立案", (_date("on", "立案日期"),), (R.D1, R.B1, R.A2, R.D2), service.file_case
        ),
        StepForm(
            "approve_filing_extension",
            "延长立案期限",
            (Field("approved_by", "批准的负责人", "text", True), _REASON),
            (R.D2,),
            service.approve_filing_extension,
            note="经负责人批准可延长十五个工作日，仅可延长一次。",
        ),
        StepForm(
            "not_file",
            "决定不予立案",
            (_date("on", "决定日期"), _REASON),
            (),
            service.not_file,
            note="须写明不予立案的理由。",
        ),
        StepForm(
            "decide_on_spot",
            "当场作出处罚决定",
            (_date("decided_on", "决定日期"), KINDS, FINE, REASONS, REMEDY),
            (R.D14, R.D1, R.B1, R.A2, R.D12, R.D18, R.D19),
            decision.decide_on_the_spot,
        ),
        StepForm(
            "evidence",
            "登记证据",
            (
                Field("file", "上传文件（照片、文书）", "file", arg="upload"),
                Field("filename", "证据名称（外部音视频）", "text"),
                Field("sha256", "SHA-256 摘要（外部音视频）", "text", hint="64 位十六进制"),
                Field("uri", "存放位置（外部音视频）", "text"),
                Field("description", "证明对象", "textarea"),
                Field("on", "取证日期", "date", hint="不填即为今天"),
            ),
            (),
            add_evidence,
            note="上传的文件按 SHA-256 保存；执法记录仪音视频保存在外部的，"
            "登记其 SHA-256 和存放位置。",
        ),
        StepForm(
            "suspend",
            "登记中止",
            (
                Field("kind", "中止情形", "select", True, _choices(SuspensionKind)),
                _date("starts_on", "中止开始日期"),
                Field("ends_on", "中止结束日期（未定可不填）", "date"),
                _REASON,
            ),
            (),
            investigation.suspend,
            note="中止期间不计入办案期限（检测、检验、检疫、鉴定期间也不计入立案期限）；不得与已登记的中止重叠。",
        ),
        StepForm(
            "end_suspension",
            "结束中止",
            (Field("suspension_id", "中止", "suspension", True), _date("ends_on", "中止结束日期")),
            (),
            investigation.end_suspension,
            note="办案期限自结束日期的次日起恢复计算。",
        ),
        StepForm(
            "extend",
            "延长办案期限",
            (
                Field("approved_by", "批准的负责人", "text", True),
                _date("approved_on", "批准日期"),
                Field("collective", "经负责人集体讨论决定", "check"),
                _REASON,
            ),
            (R.D3,),
            investigation.extend,
        ),
        StepForm(
            "notify",
            "送达行政处罚事先告知书",
            (
                _date("served_on", "送达日期"),
                KINDS,
                FINE,
                CONFISCATION,
                Field("hearing_rights", "告知当事人有要求听证的权利", "check"),
            ),
            (R.D4, R.D6, R.D5),
            notice.serve_notice,
        ),
        StepForm(
            "defence",
            "记录陈述申辩",
            (
                _date("on", "陈述申辩日期"),
                Field("waived", "当事人明确放弃陈述申辩", "check"),
                Field("note", "陈述申辩内容及采纳情况", "textarea"),
            ),
            (R.D4,),
            notice.record_defence,
        ),
        StepForm(
            "request_hearing",
            "登记听证申请",
            (_date("requested_on", "申请日期"),),
            (R.D7,),
            notice.request_hearing,
        ),
        StepForm(
            "notify_hearing",
            "通知听证",
            (
                _date("notified_on", "通知日期"),
                _date("hearing_on", "听证日期"),
                Field("presiding_id", "听证主持人", "officer", True),
            ),
            (R.D8, R.D9),
            notice.notify_hearing,
        ),
        StepForm(
            "hold_hearing",
            "记录听证",
            (
                _date("held_on", "听证日期"),
                Field("absent", "当事人无正当理由拒不参加", "check"),
                Field("record", "听证笔录要点", "textarea", True),
            ),
            (R.D9,),
            notice.hold_hearing,
        ),
        StepForm(
            "send_review",
            "送法制审核",
            (_date("on", "送审日期"),),
            (R.D10,),
            decision.send_review,
            note="当事人要求听证的，须听证结束后再送审。",
        ),
        StepForm(
            "review_pass",
            "审核通过",
            _REVIEW_FIELDS,
            (R.D10,),
            decision.record_review,
            fixed=(("passed", True),),
            review=True,
        ),
        StepForm(
            "review_return",
            "退回补充调查",
            _REVIEW_FIELDS,
            (R.D10,),
            decision.record_review,
            fixed=(("passed", False),),
            review=True,
        ),
        StepForm(
            "discuss",
            "记录集体讨论",
            (_date("on", "讨论日期"), Field("minutes", "集体讨论记录", "textarea", True)),
            (R.D11,),
            decision.record_discussion,
        ),
        StepForm(
            "decide",
            "作出处罚决定",
            (_date("decided_on", "决定日期"), KINDS, FINE, CONFISCATION, REASONS, REMEDY),
            (R.D4, R.D9, R.D10, R.D11, R.D5, R.D12, R.D18, R.D19, R.D3),
            decision.decide,
        ),
        StepForm(
            "decide_no_penalty",
            "作出不予处罚决定",
            (_date("decided_on", "决定日期"), REASONS, REMEDY),
            (R.D12,),
            decision.decide_no_penalty,
        ),
        StepForm(
            "serve",
            "送达决定书",
            (
                _date("served_on", "送达日期"),
                Field("how", "送达方式", "select", True, _choices(ServiceMethod)),
            ),
            (R.D13,),
            execution.serve,
        ),
        StepForm(
            "remedy",
            "登记复议或诉讼",
            (
                _date("started_on", "开始日期"),
                Field("ended_on", "结束日期（未结束可不填）", "date"),
            ),
            (R.D16,),
            execution.record_remedy,
            note="复议、诉讼期间不加处罚款。",
        ),
        StepForm(
            "pay",
            "登记缴款",
            (
                _date("paid_on", "缴款日期"),
                Field(
                    "amount",
                    "缴款金额（元）",
                    "yuan",
                    True,
                    hint="罚款及应加处的罚款",
                    arg="amount_fen",
                ),
                Field("channel", "缴款方式", "select", True, _choices(PaymentChannel)),
                Field("payment_ref", "缴款书编号或电子缴款码", "text"),
                Field("onsite_reason", "当场收缴的法定情形（当场收缴时填写）", "textarea"),
            ),
            (R.D15, R.D16),
            execution.record_payment,
        ),
        StepForm(
            "close",
            "结案",
            (_date("on", "结案日期"), Field("note", "结案说明", "textarea")),
            (),
            execution.close,
            note="有罚款的，须缴纳后方可结案。",
        ),
        StepForm(
            "withdraw",
            "撤案",
            (_date("on", "撤案日期"), _REASON),
            (),
            execution.withdraw,
            note="须写明撤案（终止调查）的理由。",
        ),
    )
}


def form_of(action: str) -> StepForm:
    """The form of ``action``; NotFound for an action no form exists for."""
    found = FORMS.get(action)
    if found is None:
        raise NotFound("没有这项办案操作。")
    return found


def check_may_act(db: Session, actor: Actor, case: PenaltyCase, form: StepForm) -> None:
    """Forbidden unless the actor may take the step; Conflict when the case's stage (or, for
    the steps outside the lifecycle, its state) does not allow it now."""
    if form.review:
        check_review(actor, case)
    else:
        check_handle(actor, case)
    if form.action == "end_suspension":
        if not open_suspensions(db, case):
            raise Conflict("本案没有尚未结束的中止。")
    elif form.action == "approve_filing_extension":
        CASE_LIFECYCLE.check(case, "file")
        if case.filing_extended:
            raise Conflict("立案期限已经延长过一次。")
    else:
        CASE_LIFECYCLE.check(case, form.action)


def open_suspensions(db: Session, case: PenaltyCase) -> list[CaseSuspension]:
    """The case's suspensions still running."""
    return [s for s in clocks.suspensions(db, case) if s.ends_on is None]


def choices(db: Session, case: PenaltyCase, form: StepForm) -> dict[str, list[tuple[str, str]]]:
    """The options of the fields whose choices come from the database."""
    out: dict[str, list[tuple[str, str]]] = {}
    for f in form.fields:
        if f.kind == "officer":
            stmt = select(Officer).where(Officer.subject_id == case.subject_id, Officer.active)
            out[f.name] = [(str(o.id), o.name) for o in db.scalars(stmt.order_by(Officer.name))]
        elif f.kind == "suspension":
            out[f.name] = [
                (str(s.id), f"{SuspensionKind(s.kind).label}（{s.starts_on.isoformat()}起）")
                for s in open_suspensions(db, case)
            ]
        elif f.choices:
            out[f.name] = list(f.choices)
    return out
