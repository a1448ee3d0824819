"""API shapes of penalty cases (行政处罚案件).

Amounts are integers in fen (分), as the domain stores them, so "三千元以下" compares exactly
and no decimal string has to be parsed at the edge. A person's 居民身份证号 is only accepted
(``person_ric``) and never returned: every output shows the party through
``service.party_label`` (the masked number).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from wurao.cases.clocks import Deadline
from wurao.cases.models import CaseEvidence, CaseStep, CaseSuspension, PenaltyCase
from wurao.cases.service import party_label
from wurao.cases.statuses import CaseStatus
from wurao.core.text import LONG_TEXT, NOTE
from wurao.inspections.schemas import ViolationOut
from wurao.web.params import MAX_LIST, MAX_YEAR, MIN_YEAR, BodyId, Text

MAX_FEN = 10**14  # 一万亿元: above any fine; keeps the BIGINT column safe
Fen = Annotated[int, Field(ge=0, le=MAX_FEN, description="金额（分）")]
# Legal dates of a case: the range of the policy file and the holiday schedules (a date outside
# has no clock length to read), as years are bounded elsewhere (docs/api.md "Limits").
Day = Annotated[
    dt.date, Field(ge=dt.date(MIN_YEAR, 1, 1), le=dt.date(MAX_YEAR, 12, 31), description="日期")
]
Kinds = Annotated[
    list[Annotated[str, Text(20, "处罚种类")]],
    Field(max_length=20, description="warning / fine / confiscation / …（PenaltyKind）"),
]


class CaseIn(BaseModel):
    """A new case (待立案). ``person_ric`` is required for a natural person and never shown."""

    origin: Annotated[str, Text(10, "案件来源")] = Field(
        description="record / clue / referral / own"
    )
    party_kind: Annotated[str, Text(12, "当事人类型")] = Field(description="enterprise / person")
    act_on: Day
    found_on: Day
    facts: Annotated[str, Text(LONG_TEXT, "违法事实")]
    officer_ids: list[BodyId] = Field(min_length=1, max_length=MAX_LIST)
    enterprise_id: BodyId | None = None
    person_name: Annotated[str, Text(60, "当事人姓名")] = ""
    person_ric: Annotated[str, Text(18, "居民身份证号")] = ""
    act_end_on: Day | None = None
    provisions_breached: Annotated[str, Text(LONG_TEXT, "违反的规定")] = ""
    provisions_applied: Annotated[str, Text(LONG_TEXT, "处罚依据")] = ""
    grave_harm: bool = False
    complex_case: bool = False
    procedure: Annotated[str, Text(10, "程序")] = Field("ordinary", description="ordinary / simple")
    record_id: BodyId | None = None
    clue_id: BodyId | None = None
    origin_ref: Annotated[str, Text(120, "移送文号")] = ""
    subject_id: BodyId | None = None


class DayIn(BaseModel):
    """A step that only needs its legal date (立案, 送审)."""

    on: Day


class ReasonIn(BaseModel):
    on: Day
    reason: Annotated[str, Text(NOTE, "理由")]


class EvidenceIn(BaseModel):
    """Evidence held outside the platform, identified by its SHA-256."""

    filename: Annotated[str, Text(200, "证据名称")]
    sha256: Annotated[str, Text(64, "SHA-256")] = Field(pattern=r"^[0-9a-fA-F]{64}$")
    uri: Annotated[str, Text(300, "存放位置")]
    size: int = Field(0, ge=0, le=2**62)
    description: Annotated[str, Text(NOTE, "证明对象")] = ""


class SuspensionIn(BaseModel):
    kind: Annotated[str, Text(12, "中止类型")] = Field(
        description="testing / hearing / announcement / other"
    )
    starts_on: Day
    reason: Annotated[str, Text(NOTE, "中止理由")]
    ends_on: Day | None = None


class SuspensionEndIn(BaseModel):
    ends_on: Day


class ExtensionIn(BaseModel):
    approved_by: Annotated[str, Text(60, "批准人")]
    approved_on: Day
    reason: Annotated[str, Text(NOTE, "延期理由")]
    collective: bool = False


class NoticeIn(BaseModel):
    kinds: Kinds
    fine_fen: Fen = 0
    confiscation_fen: Fen = 0
    served_on: Day
    hearing_rights: bool = False


class DefenceIn(BaseModel):
    on: Day
    note: Annotated[str, Text(LONG_TEXT, "陈述申辩意见")] = ""
    waived: bool = False


class HearingNoticeIn(BaseModel):
    notified_on: Day
    hearing_on: Day
    presiding_id: BodyId


class HearingHeldIn(BaseModel):
    held_on: Day
    record: Annotated[str, Text(LONG_TEXT, "听证笔录")] = ""
    absent: bool = False


class ReviewIn(BaseModel):
    on: Day
    passed: bool
    opinion: Annotated[str, Text(LONG_TEXT, "法制审核意见")]


class DiscussionIn(BaseModel):
    on: Day
    minutes: Annotated[str, Text(LONG_TEXT, "集体讨论记录")]


class DecisionIn(BaseModel):
    decided_on: Day
    kinds: Kinds
    fine_fen: Fen = 0
    confiscation_fen: Fen = 0
    reasons: Annotated[str, Text(LONG_TEXT, "处罚理由")]
    remedy: Annotated[str, Text(NOTE, "救济途径")]


class NoPenaltyIn(BaseModel):
    decided_on: Day
    reasons: Annotated[str, Text(LONG_TEXT, "不予处罚理由")]
    remedy: Annotated[str, Text(NOTE, "救济途径")]


class ServeIn(BaseModel):
    served_on: Day
    how: Annotated[str, Text(12, "送达方式")] = Field(description="ServiceMethod")


class RemedyIn(BaseModel):
    started_on: Day
    ended_on: Day | None = None


class PaymentIn(BaseModel):
    paid_on: Day
    amount_fen: Fen
    channel: Annotated[str, Text(12, "缴款方式")] = Field(description="bank / online / on_spot")
    payment_ref: Annotated[str, Text(60, "缴款单号")] = ""
    onsite_reason: Annotated[str, Text(NOTE, "当场收缴理由")] = ""


class CloseIn(BaseModel):
    on: Day
    note: Annotated[str, Text(NOTE, "结案说明")] = ""


class CaseRow(BaseModel):
    id: int
    number: str
    status: str
    status_label: str
    party: str  # a person's ID number masked
    found_on: dt.date
    filed_on: dt.date | None
    decided_on: dt.date | None

    @classmethod
    def of(cls, c: PenaltyCase) -> CaseRow:
        return cls(
            id=c.id,
            number=c.number,
            status=c.status,
            status_label=CaseStatus(c.status).label,
            party=party_label(c),
            found_on=c.found_on,
            filed_on=c.filed_on,
            decided_on=c.decided_on,
        )


class CasePage(BaseModel):
    items: list[CaseRow]
    total: int
    page: int


class DeadlineOut(BaseModel):
    name: str
    rule_id: str
    start: dt.date
    deadline: dt.date
    who: str
    unit: str
    met_on: dt.date | None
    days_left: int
    warn_on: dt.date | None
    state: str

    @classmethod
    def of(cls, d: Deadline) -> DeadlineOut:
        return cls(
            name=d.name,
            rule_id=d.rule.id,
            start=d.start,
            deadline=d.deadline,
            who=d.who,
            unit=d.unit,
            met_on=d.met_on,
            days_left=d.days_left,
            warn_on=d.warn_on,
            state=d.state,
        )


class SuspensionOut(BaseModel):
    id: int
    kind: str
    starts_on: dt.date
    ends_on: dt.date | None
    reason: str

    @classmethod
    def of(cls, s: CaseSuspension) -> SuspensionOut:
        return cls(id=s.id, kind=s.kind, starts_on=s.starts_on, ends_on=s.ends_on, reason=s.reason)


class StepOut(BaseModel):
    action: str
    day: dt.date
    actor_name: str

    @classmethod
    def of(cls, s: CaseStep) -> StepOut:
        return cls(action=s.action, day=s.day, actor_name=s.actor_name)


class EvidenceOut(BaseModel):
    id: int
    kind: str
    filename: str
    sha256: str
    size: int
    description: str

    @classmethod
    def of(cls, e: CaseEvidence) -> EvidenceOut:
        return cls(
            id=e.id,
            kind=e.kind,
            filename=e.filename,
            sha256=e.sha256,
            size=e.size,
            description=e.description,
        )


class CaseOut(CaseRow):
    """One case with its clocks, officers, suspensions, evidence and timeline."""

    procedure: str
    origin: str
    party_kind: str
    act_on: dt.date
    facts: str
    provisions_breached: str
    provisions_applied: str
    notice_fine_fen: int
    fine_fen: int
    confiscation_fen: int
    paid_fen: int
    surcharge_fen: int
    payment_due_on: dt.date | None
    closed_on: dt.date | None
    officer_ids: list[int]
    deadlines: list[DeadlineOut]
    suspensions: list[SuspensionOut]
    evidence: list[EvidenceOut]
    steps: list[StepOut]
    warnings: list[ViolationOut] = []
