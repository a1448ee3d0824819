"""The documents (文书) of a penalty case as .docx: pure functions from a view of the case.

Which document exists at which stage follows the procedure (``dated_on`` returns None before
the act it records): the 立案审批表 from the lead on, the 事先告知书 once served, the 听证通知书
once the hearing is set, the 法制审核意见书 once reviewed, the 决定书 (普通程序, 不予处罚 or
当场处罚) and its 送达回证 once decided. The 决定书 carries what 行政处罚法 第59条 requires —
facts and evidence, the provisions breached and applied, the reasons (说理, 衢政办发〔2025〕16号
item 17), the penalty, how and by when to pay (罚缴分离, 第67条; the surcharge of 第72条) and
the review and litigation routes. A person's ID appears in full: this is the legal document
handed to the party; pages show it masked only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from wurao.cases.documents_docx import Writer, cn_date
from wurao.cases.models import PenaltyCase
from wurao.cases.rules import yuan
from wurao.cases.statuses import (
    Origin,
    PartyKind,
    PenaltyKind,
    Procedure,
    ServiceMethod,
    kinds_of,
)
from wurao.core.docx_templates import kind_key
from wurao.core.lifecycle import LabelledEnum

TEMPLATE_VERSION = "2026.12-1"
# 行政处罚法 第59条第5项 and RULES D21: 行政复议 within 60 days, 诉讼 within six months.
REMEDY_STANDARD = (
    "如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院"
    "提起行政诉讼。申请行政复议或者提起行政诉讼的，不停止本决定的执行，法律另有规定的除外。"
)


class DocumentKind(LabelledEnum):
    """The documents a case produces, each numbered per subject, kind and year."""

    FILING = ("filing", "立案审批表")
    NOTICE = ("notice", "行政处罚事先告知书")
    HEARING_NOTICE = ("hearing_notice", "听证通知书")
    REVIEW = ("review", "法制审核意见书")
    DECISION = ("decision", "行政处罚决定书")
    SERVICE = ("service", "送达回证")
    NO_PENALTY = ("no_penalty", "不予行政处罚决定书")
    ON_SPOT = ("on_spot", "当场行政处罚决定书")


# The 字 of each kind's number: {organ}罚决字〔2026〕第12号.
WORDS: dict[DocumentKind, str] = {
    DocumentKind.FILING: "立审",
    DocumentKind.NOTICE: "罚告",
    DocumentKind.HEARING_NOTICE: "听通",
    DocumentKind.REVIEW: "法审",
    DocumentKind.DECISION: "罚决",
    DocumentKind.SERVICE: "送达",
    DocumentKind.NO_PENALTY: "不罚决",
    DocumentKind.ON_SPOT: "当罚决",
}
DECISIONS = frozenset({DocumentKind.DECISION, DocumentKind.NO_PENALTY, DocumentKind.ON_SPOT})
"""The decisions the party keeps (an enterprise may download its own once served)."""


@dataclass(frozen=True)
class CaseView:
    """What the documents print, read once by ``document_service.case_view``."""

    case: PenaltyCase
    organ: str  # the subject's name
    officers: list[tuple[str, str]]  # (name, 执法证号)
    evidence: list[tuple[str, str]]  # (filename, 证明对象)
    party_id_label: str = ""  # 统一社会信用代码 / 公民身份号码
    party_id: str = ""  # in full: the document goes to the party
    party_address: str = ""
    presiding: str = ""  # 听证主持人
    reviewer: str = ""  # 法制审核人员
    defence_days: int = 5
    hearing_request_days: int = 5
    payment_days: int = 15
    surcharge_percent: str = "3"
    numbers: dict[str, str] = field(default_factory=dict)  # other documents' numbers by kind


def number_text(organ: str, kind: DocumentKind, year: int, n: int) -> str:
    """A document number: 柯城区市场监督管理局罚决字〔2026〕第12号."""
    return f"{organ}{WORDS[kind]}字〔{year}〕第{n}号"


def dated_on(case: PenaltyCase, kind: DocumentKind) -> dt.date | None:
    """The date the document bears, or None while the case has not reached it."""
    ordinary = case.procedure == Procedure.ORDINARY
    if kind is DocumentKind.FILING:
        return (case.filed_on or case.found_on) if ordinary else None
    if kind is DocumentKind.NOTICE:
        return case.notice_served_on
    if kind is DocumentKind.HEARING_NOTICE:
        return case.hearing_notified_on if case.hearing_on else None
    if kind is DocumentKind.REVIEW:
        return case.reviewed_on
    if kind is DocumentKind.DECISION:
        return case.decided_on if ordinary and case.outcome == "penalty" else None
    if kind is DocumentKind.NO_PENALTY:
        return case.decided_on if case.outcome == "no_penalty" else None
    if kind is DocumentKind.ON_SPOT:
        return case.decided_on if not ordinary else None
    return case.decided_on  # SERVICE: the receipt of the decision


def available(case: PenaltyCase) -> list[DocumentKind]:
    """The kinds the case's stage allows now, in the order of the procedure."""
    return [k for k in DocumentKind if dated_on(case, k) is not None]


def filename(case: PenaltyCase, kind: DocumentKind) -> str:
    """A download name for the document."""
    return f"{kind.label}-{case.number}.docx"


# --- the documents ---------------------------------------------------------------------------


def _you(case: PenaltyCase) -> str:
    return "你" if case.party_kind == PartyKind.PERSON else "你单位"


def _party(w: Writer, v: CaseView) -> None:
    w.para(v.case.party_name, label="当事人：", indent=False)
    if v.party_id:
        w.para(v.party_id, label=f"{v.party_id_label}：", indent=False)
    if v.party_address:
        w.para(v.party_address, label="住所（地址）：", indent=False)


def penalty_text(kinds: str, fine_fen: int, confiscation_fen: int) -> str:
    """The penalty as documents and the portal write it: 警告；罚款1,000元；没收…"""
    amounts = {PenaltyKind.FINE.value: fine_fen, PenaltyKind.CONFISCATION.value: confiscation_fen}
    parts = []
    for kind in PenaltyKind:
        if kind.value not in kinds_of(kinds):
            continue
        amount = amounts.get(kind.value)
        parts.append(f"{kind.label}{yuan(amount)}" if amount else kind.label)
    return "；".join(parts) or "—"


def _evidence(w: Writer, v: CaseView) -> None:
    w.heading("上述事实，有以下证据证明：")
    for i, (name, what) in enumerate(v.evidence, 1):
        w.para(f"{i}. {name}" + (f"，证明{what}" if what else "") + "；", indent=False)
    if not v.evidence:
        w.para("（未登记证据）", indent=False)


def _filing(w: Writer, v: CaseView) -> None:
    c = v.case
    origin = Origin(c.origin).label + (f"（{c.origin_ref}）" if c.origin_ref else "")
    w.table(
        [
            ("案件编号", c.number),
            ("案件来源", origin),
            ("当事人", c.party_name),
            (v.party_id_label or "证件号码", v.party_id),
            ("住所（地址）", v.party_address),
            ("违法行为发生日期", cn_date(c.act_on)),
            ("发现线索日期", cn_date(c.found_on)),
            ("简要案情", c.facts),
            ("涉嫌违反的规定", c.provisions_breached),
            ("承办人员", "；".join(f"{n}（执法证号 {no or '—'}）" for n, no in v.officers)),
            ("承办人意见", "建议立案调查。"),
            ("负责人审批意见", "" if c.filed_on is None else f"同意立案（{cn_date(c.filed_on)}）"),
        ]
    )
    w.signature(v.organ, c.filed_on, ("承办人签名：", "负责人签名："))


def _notice(w: Writer, v: CaseView) -> None:
    c, you = v.case, _you(v.case)
    _party(w, v)
    w.para(f"经查，{c.facts}")
    _evidence(w, v)
    w.para(f"{you}的上述行为违反了{c.provisions_breached or '有关规定'}的规定。")
    penalty = penalty_text(c.notice_kinds, c.notice_fine_fen, c.notice_confiscation_fen)
    w.para(
        f"依据{c.provisions_applied or '有关规定'}的规定，"
        f"本机关拟对{you}作出如下行政处罚：{penalty}。"
    )
    w.para(
        f"根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，{you}有权进行陈述和申辩。"
        f"请于收到本告知书之日起{v.defence_days}个工作日内提出陈述、申辩意见，逾期视为放弃。"
    )
    if c.notice_hearing_rights:
        w.para(
            f"根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，{you}有权要求听证。"
            f"如要求听证，请于收到本告知书之日起{v.hearing_request_days}个工作日内提出，"
            "逾期视为放弃听证权利。"
        )
    w.signature(v.organ, c.notice_served_on, ("当事人签收：",))


def _hearing_notice(w: Writer, v: CaseView) -> None:
    c, you = v.case, _you(v.case)
    _party(w, v)
    w.para(
        f"根据{you}的申请，本机关定于{cn_date(c.hearing_on)}就{c.number}一案举行听证，"
        f"听证主持人为{v.presiding or '—'}。"
    )
    w.para(
        f"{you}可以亲自参加听证，也可以委托一至二人代理。{you}认为主持人与本案有直接利害关系的，"
        "有权申请回避。无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利。"
    )
    w.signature(v.organ, c.hearing_notified_on, ("当事人签收：",))


def _review(w: Writer, v: CaseView) -> None:
    c = v.case
    w.table(
        [
            ("案件编号", c.number),
            ("当事人", c.party_name),
            ("送审日期", cn_date(c.review_sent_on)),
            ("案件事实", c.facts),
            ("违反的规定", c.provisions_breached),
            ("处罚依据", c.provisions_applied),
            ("审核结论", "同意" if c.review_passed else "不同意，退回补充调查"),
            ("审核意见", c.review_opinion),
            ("审核人员", v.reviewer),
            ("审核日期", cn_date(c.reviewed_on)),
        ]
    )
    w.signature(v.organ, c.reviewed_on, ("法制审核人员签名：",))


def _payment(w: Writer, v: CaseView) -> None:
    c = v.case
    if not c.fine_fen:
        return
    ref = f"（缴款识别码：{c.payment_ref}）" if c.payment_ref else ""
    due = f"，即于{cn_date(c.payment_due_on)}前" if c.payment_due_on else ""
    w.para(
        f"当事人应当自收到本决定书之日起{v.payment_days}日内{due}，持本决定书到指定的银行或者通过"
        f"电子支付系统缴纳罚款{ref}。本机关及执法人员不直接收缴罚款（当场收缴的情形除外）。"
    )
    w.para(
        f"到期不缴纳罚款的，本机关可以每日按罚款数额的百分之{v.surcharge_percent}加处罚款，"
        "加处罚款的数额不超出罚款的数额（《中华人民共和国行政处罚法》第七十二条）。"
    )


def _remedy(w: Writer, c: PenaltyCase) -> None:
    text = c.remedy.strip()
    w.para(text if text else REMEDY_STANDARD)
    if text and "六十日" not in text:
        w.para(REMEDY_STANDARD)


def _decision(w: Writer, v: CaseView) -> None:
    c = v.case
    _party(w, v)
    w.para(f"经查，{c.facts}")
    _evidence(w, v)
    w.para(f"当事人的上述行为违反了{c.provisions_breached or '有关规定'}的规定。")
    w.heading("本机关认为：")
    w.para(c.reasons)
    w.para(
        f"依据{c.provisions_applied or '有关规定'}的规定，本机关决定对当事人作出如下行政处罚："
        f"{penalty_text(c.decision_kinds, c.fine_fen, c.confiscation_fen)}。"
    )
    _payment(w, v)
    _remedy(w, c)
    w.signature(v.organ, c.decided_on)


def _no_penalty(w: Writer, v: CaseView) -> None:
    c = v.case
    _party(w, v)
    w.para(f"经查，{c.facts}")
    _evidence(w, v)
    w.heading("本机关认为：")
    w.para(c.reasons)
    w.para(
        f"依据{c.provisions_applied or '《中华人民共和国行政处罚法》'}的规定，"
        "本机关决定不予行政处罚。"
    )
    _remedy(w, c)
    w.signature(v.organ, c.decided_on)


def _on_spot(w: Writer, v: CaseView) -> None:
    c = v.case
    _party(w, v)
    w.para(f"经查，{c.facts}")
    w.para(f"当事人的上述行为违反了{c.provisions_breached or '有关规定'}的规定。")
    w.para(c.reasons, label="理由：")
    w.para(
        f"依据{c.provisions_applied or '有关规定'}和《中华人民共和国行政处罚法》第五十一条的规定，"
        f"当场作出如下行政处罚：{penalty_text(c.decision_kinds, c.fine_fen, 0)}。"
    )
    _payment(w, v)
    _remedy(w, c)
    names = "、".join(f"{n}（执法证号 {no or '—'}）" for n, no in v.officers)
    w.para(names or "—", label="执法人员：", indent=False)
    w.signature(v.organ, c.decided_on, ("执法人员签名：", "当事人签名："))


def _service(w: Writer, v: CaseView) -> None:
    c = v.case
    kind = DocumentKind.DECISION
    if c.outcome == "no_penalty":
        kind = DocumentKind.NO_PENALTY
    elif c.procedure == Procedure.SIMPLE:
        kind = DocumentKind.ON_SPOT
    number = v.numbers.get(kind.value, "")
    how = ServiceMethod(c.served_how).label if c.served_how else ""
    w.table(
        [
            ("送达文书", f"{kind.label}（{number}）" if number else kind.label),
            ("受送达人", c.party_name),
            ("送达地点", v.party_address),
            ("送达方式", how),
            ("送达日期", cn_date(c.served_on)),
            ("受送达人签名或者盖章", ""),
            ("送达人", "、".join(n for n, _ in v.officers)),
            ("备注", ""),
        ]
    )
    w.signature(v.organ, c.decided_on)


_BODIES = {
    DocumentKind.FILING: _filing,
    DocumentKind.NOTICE: _notice,
    DocumentKind.HEARING_NOTICE: _hearing_notice,
    DocumentKind.REVIEW: _review,
    DocumentKind.DECISION: _decision,
    DocumentKind.SERVICE: _service,
    DocumentKind.NO_PENALTY: _no_penalty,
    DocumentKind.ON_SPOT: _on_spot,
}


def render(kind: DocumentKind, view: CaseView, number: str, day: dt.date) -> bytes:
    """The document as .docx bytes (the same bytes for the same case, number and date)."""
    case = view.case
    w = Writer(
        view.organ,
        kind.label,
        number,
        kind=kind_key("case", kind.value),
        region_code=case.region_code,
    )
    w.fields.update(
        case_number=case.number, party_name=case.party_name, party_id=view.party_id,
        party_address=view.party_address, facts=case.facts,
    )  # fmt: skip
    _BODIES[kind](w, view)
    return w.to_bytes(day)
