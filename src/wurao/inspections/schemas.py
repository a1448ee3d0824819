"""API shapes of inspection tasks and 行政行为码."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from wurao.core.errors import Violation
from wurao.inspections.models import ActionCode
from wurao.inspections.rules import Outcome, PrecheckResult
from wurao.inspections.service import ScanResult, TaskBundle


class TaskIn(BaseModel):
    """A new task. ``subject_ids`` lead first."""

    enterprise_uscc: str
    subject_ids: list[int] = Field(min_length=1)
    item_codes: list[str] = Field(min_length=1)
    officer_ids: list[int] = Field(min_length=1)
    method: str = Field(description="onsite / offsite / written")
    origin: str = Field(
        description="plan / draw / special / unplanned / complaint / referral / monitoring"
    )
    window_start: dt.date
    window_end: dt.date
    plan_entry_id: int | None = None
    special_id: int | None = None
    unplanned_id: int | None = None
    draw_id: int | None = None
    trigger_ref: str = ""
    trigger_reason: str = ""
    started_without_code_on: dt.date | None = None
    legal_rep_required: bool = False
    remote_approval_refs: dict[int, str] = Field(default_factory=dict)


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
    reason: str


class VerifyIn(BaseModel):
    token: str = Field(max_length=4000)


class VerifyOut(BaseModel):
    status: str
    message: str
    genuine: bool
    may_enter: bool
    kid: str
    reason: str
    number: str | None = None
    claims: dict[str, object] = Field(default_factory=dict)

    @classmethod
    def of(cls, r: ScanResult, message: str) -> VerifyOut:
        return cls(
            status=r.status,
            message=message,
            genuine=r.verified.genuine,
            may_enter=r.may_enter,
            kid=r.verified.kid,
            reason=r.verified.reason,
            number=r.code.number if r.code else None,
            claims=r.verified.claims,
        )
