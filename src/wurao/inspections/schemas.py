"""API shapes of inspection tasks and 行政行为码."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from wurao.core.errors import Violation
from wurao.core.text import NOTE
from wurao.inspections.codes import CodeState
from wurao.inspections.cross_region import ApprovalView
from wurao.inspections.models import ActionCode
from wurao.inspections.precheck import Outcome, PrecheckResult
from wurao.inspections.service import TaskBundle
from wurao.inspections.verification import ScanResult
from wurao.web.params import MAX_LIST, BodyId, Text


class TaskIn(BaseModel):
    """A new task. ``subject_ids`` lead first."""

    enterprise_uscc: Annotated[str, Text(40, "企业统一社会信用代码")]
    subject_ids: list[BodyId] = Field(min_length=1, max_length=MAX_LIST)
    item_codes: list[Annotated[str, Text(40, "检查事项")]] = Field(
        min_length=1, max_length=MAX_LIST
    )
    officer_ids: list[BodyId] = Field(min_length=1, max_length=MAX_LIST)
    method: Annotated[str, Text(10, "检查方式")] = Field(description="onsite / offsite / written")
    origin: Annotated[str, Text(12, "任务来源")] = Field(
        description="plan / draw / special / unplanned / complaint / referral / monitoring"
    )
    window_start: dt.date
    window_end: dt.date
    plan_entry_id: BodyId | None = None
    special_id: BodyId | None = None
    unplanned_id: BodyId | None = None
    draw_id: BodyId | None = None
    trigger_ref: Annotated[str, Text(80, "触发文号")] = ""
    trigger_reason: Annotated[str, Text(NOTE, "触发理由")] = ""
    started_without_code_on: dt.date | None = None
    finished_without_code_on: dt.date | None = Field(
        None, description="the day an inspection begun before its code was completed (补码)"
    )
    legal_rep_required: bool = False
    cross_region_approval_ids: dict[BodyId, BodyId] = Field(
        default_factory=dict,
        max_length=MAX_LIST,
        description="subject id → the 异地检查 approval it relies on (A8); "
        "without one, pre-check A8 looks for a covering approval",
    )


class CrossRegionApprovalIn(BaseModel):
    """A common superior's approval of a 异地检查 (A8), as recorded by the subject."""

    organ_name: Annotated[str, Text(120, "批准机关")]
    organ_region_code: Annotated[str, Text(12, "批准机关行政区划代码")] = Field(
        description="GB/T 2260 code of the approving organ; its area must contain both the "
        "subject's and each enterprise's"
    )
    approved_on: dt.date
    doc_no: Annotated[str, Text(120, "批准文号")]
    valid_from: dt.date
    valid_to: dt.date
    enterprise_usccs: list[Annotated[str, Text(40, "企业统一社会信用代码")]] = Field(
        min_length=1, max_length=MAX_LIST
    )
    item_codes: list[Annotated[str, Text(40, "检查事项")]] = Field(
        min_length=1, max_length=MAX_LIST
    )
    reason: Annotated[str, Text(NOTE, "异地检查事由")] = ""


class CrossRegionApprovalOut(BaseModel):
    id: int
    subject_id: int
    subject_name: str
    organ_name: str
    organ_region_code: str
    approved_on: dt.date
    doc_no: str
    valid_from: dt.date
    valid_to: dt.date
    enterprise_usccs: list[str]
    item_codes: list[str]
    reason: str

    @classmethod
    def of(cls, v: ApprovalView) -> CrossRegionApprovalOut:
        a = v.approval
        return cls(
            id=a.id,
            subject_id=a.subject_id,
            subject_name=v.subject.name,
            organ_name=a.organ_name,
            organ_region_code=a.organ_region_code,
            approved_on=a.approved_on,
            doc_no=a.doc_no,
            valid_from=a.valid_from,
            valid_to=a.valid_to,
            enterprise_usccs=[e.uscc for e in v.enterprises],
            item_codes=[i.code for i in v.items],
            reason=a.reason,
        )


class CrossRegionApprovalPage(BaseModel):
    items: list[CrossRegionApprovalOut]
    total: int
    page: int


class ViolationOut(BaseModel):
    rule_id: str
    title: str
    source: str
    detail: str
    severity: str

    @classmethod
    def of(cls, v: Violation) -> ViolationOut:
        return cls(
            rule_id=v.rule_id, title=v.title, source=v.source, detail=v.detail, severity=v.severity
        )


class RuleOutcomeOut(BaseModel):
    key: str
    rule_id: str
    title: str
    source: str
    severity: str
    params: list[str]
    status: str
    note: str
    violations: list[ViolationOut]

    @classmethod
    def of(cls, o: Outcome) -> RuleOutcomeOut:
        r = o.rule
        return cls(
            key=r.key,
            rule_id=r.rule_id,
            title=r.title,
            source=r.source,
            severity=r.severity,
            params=list(r.params),
            status=o.status,
            note=o.note,
            violations=[ViolationOut.of(v) for v in o.violations],
        )


class PrecheckOut(BaseModel):
    ok: bool
    rules: list[RuleOutcomeOut]

    @classmethod
    def of(cls, result: PrecheckResult) -> PrecheckOut:
        return cls(ok=result.ok, rules=[RuleOutcomeOut.of(o) for o in result.outcomes])


class CodeOut(BaseModel):
    number: str
    jti: str
    kid: str
    token: str
    status: str
    valid_from: dt.date
    valid_to: dt.date
    late: bool
    issued_at: dt.datetime
    warnings: list[str]

    @classmethod
    def of(cls, c: ActionCode) -> CodeOut:
        return cls(
            number=c.number,
            jti=c.jti,
            kid=c.kid,
            token=c.token,
            status=c.status,
            valid_from=c.valid_from,
            valid_to=c.valid_to,
            late=c.late,
            issued_at=c.issued_at,
            warnings=[w for w in c.warnings.splitlines() if w],
        )


class TaskOut(BaseModel):
    id: int
    status: str
    enterprise_uscc: str
    enterprise_name: str
    region_code: str
    year: int
    origin: str
    method: str
    window_start: dt.date
    window_end: dt.date
    subjects: list[str]
    items: list[str]
    officers: list[str]
    trigger_ref: str
    started_without_code_on: dt.date | None
    code: CodeOut | None

    @classmethod
    def of(cls, b: TaskBundle) -> TaskOut:
        t = b.task
        return cls(
            id=t.id,
            status=t.status,
            enterprise_uscc=b.enterprise.uscc,
            enterprise_name=b.enterprise.name,
            region_code=t.region_code,
            year=t.year,
            origin=t.origin,
            method=t.method,
            window_start=t.window_start,
            window_end=t.window_end,
            subjects=[s.name for s in b.subjects],
            items=[i.code for _, i in b.items],
            officers=[o.name for _, o in b.officers],
            trigger_ref=t.trigger_ref,
            started_without_code_on=t.started_without_code_on,
            code=CodeOut.of(b.code) if b.code else None,
        )


class TaskRow(BaseModel):
    id: int
    status: str
    enterprise_name: str
    method: str
    origin: str
    window_start: dt.date
    window_end: dt.date
    code_number: str | None


class TaskPage(BaseModel):
    items: list[TaskRow]
    total: int
    page: int


class IssueOut(BaseModel):
    code: CodeOut
    warnings: list[ViolationOut]


class RevokeIn(BaseModel):
    reason: Annotated[str, Text(NOTE, "撤销理由")]


class VerifyIn(BaseModel):
    token: str = Field(max_length=4000)


class VerifyOut(BaseModel):
    """The verdict on a code: one state, as the scan page shows it."""

    status: CodeState = Field(description="valid / revoked / used / expired / not_yet / "
                              "invalid / unknown; only valid lets officers in")  # fmt: skip
    label: str = Field(description="the state's Chinese name, e.g. 已撤销")
    colour: str = Field(description="green, amber or red")
    message: str = Field(description="the state and what it means for the enterprise")
    reason: str = Field(description="the fact behind the state (when revoked, the window, …)")
    genuine: bool
    may_enter: bool
    kid: str
    number: str | None = None
    claims: dict[str, object] = Field(default_factory=dict)

    @classmethod
    def of(cls, r: ScanResult) -> VerifyOut:
        return cls(
            status=r.status,
            label=r.status.label,
            colour=r.status.colour,
            message=r.message,
            reason=r.detail,
            genuine=r.verified.genuine,
            may_enter=r.may_enter,
            kid=r.verified.kid,
            number=r.code.number if r.code else None,
            claims=r.verified.claims,
        )
