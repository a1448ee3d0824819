"""API shapes of plans, special inspections and unplanned approvals."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from wurao.core.text import LONG_TEXT, NOTE
from wurao.planning.models import InspectionPlan, PlanEntry, SpecialInspection, UnplannedApproval
from wurao.web.params import MAX_COUNT, MAX_LIST, BodyId, BodyLongId, BodyYear, Count, Text


class EntryIn(BaseModel):
    item_id: BodyId
    method: Annotated[str, Text(10, "检查方式")] = "onsite"
    selection: Annotated[str, Text(10, "选取方式")] = "dss"
    scope_region: Annotated[str, Text(12, "区划范围")] = ""
    scope_industry: Annotated[str, Text(5, "行业范围")] = ""
    scope_credit: Annotated[str, Text(8, "信用等级范围")] = ""
    scope_tag: Annotated[str, Text(40, "标签范围")] = ""
    planned_count: Count = 0
    months: list[Annotated[int, Field(ge=1, le=12)]] = Field(default_factory=list, max_length=12)
    officers_per_team: Count = 2
    note: Annotated[str, Text(NOTE, "备注")] = ""
    target_ids: list[BodyLongId] = Field(default_factory=list, max_length=MAX_COUNT)


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: int
    method: str
    selection: str
    scope_region: str
    scope_industry: str
    scope_credit: str
    scope_tag: str
    planned_count: int
    months: str
    officers_per_team: int
    note: str
    targets: int = 0

    @classmethod
    def of(cls, entry: PlanEntry, targets: int = 0) -> EntryOut:
        """The API view of an entry."""
        out = cls.model_validate(entry)
        out.targets = targets
        return out


class PlanIn(BaseModel):
    year: BodyYear
    title: Annotated[str, Text(200, "计划名称")] = ""


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subject_id: int
    year: int
    version: int
    title: str
    status: str
    supersedes_id: int | None
    amendment_reason: str
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    approved_by: str
    approval_comment: str
    published_on: dt.date | None
    filed_at: dt.datetime | None
    filing_status: str
    filing_comment: str
    filing_reviewed_at: dt.datetime | None
    filing_reviewer: str
    entries: list[EntryOut] = Field(default_factory=list)

    @classmethod
    def of(cls, plan: InspectionPlan, entries: list[EntryOut] | None = None) -> PlanOut:
        """The API view of a plan."""
        out = cls.model_validate(plan)
        out.entries = entries or []
        return out


class PlanPage(BaseModel):
    items: list[PlanOut]
    total: int
    page: int


class ApproveIn(BaseModel):
    head_name: Annotated[str, Text(60, "负责人")]
    comment: Annotated[str, Text(NOTE, "意见")] = ""


class CommentIn(BaseModel):
    comment: Annotated[str, Text(NOTE, "意见")] = ""


class PublishIn(BaseModel):
    on: dt.date | None = None


class ReviewIn(BaseModel):
    accept: bool
    comment: Annotated[str, Text(NOTE, "意见")] = ""


class AmendIn(BaseModel):
    reason: Annotated[str, Text(NOTE, "修订理由")]


class SpecialIn(BaseModel):
    year: BodyYear
    title: Annotated[str, Text(200, "专项检查名称")]
    necessity: Annotated[str, Text(LONG_TEXT, "必要性评估")]
    scope: Annotated[str, Text(LONG_TEXT, "检查范围")]
    start_on: dt.date
    end_on: dt.date
    item_ids: list[BodyId] = Field(max_length=MAX_LIST)
    joint_subject_ids: list[BodyId] = Field(default_factory=list, max_length=MAX_LIST)


class SpecialOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subject_id: int
    year: int
    title: str
    necessity: str
    scope: str
    start_on: dt.date | None
    end_on: dt.date | None
    status: str
    legal_review_by: str
    legal_review_on: dt.date | None
    legal_review_opinion: str
    discussion_on: dt.date | None
    discussion_record: str
    approval_organ: str
    approval_ref: str
    approved_on: dt.date | None
    published_on: dt.date | None
    filed_at: dt.datetime | None

    @classmethod
    def of(cls, special: SpecialInspection) -> SpecialOut:
        """The API view of a special inspection."""
        return cls.model_validate(special)


class SpecialPage(BaseModel):
    items: list[SpecialOut]
    total: int
    page: int


class LegalReviewIn(BaseModel):
    passed: bool
    opinion: Annotated[str, Text(LONG_TEXT, "法制审核意见")]


class DiscussionIn(BaseModel):
    on: dt.date
    record: Annotated[str, Text(LONG_TEXT, "集体讨论记录")]


class SpecialApprovalIn(BaseModel):
    organ: Annotated[str, Text(120, "批准机关")]
    ref: Annotated[str, Text(120, "批准文号")]
    on: dt.date


class UnplannedIn(BaseModel):
    enterprise_uscc: Annotated[str, Text(40, "企业统一社会信用代码")]
    reason: Annotated[str, Text(NOTE, "申请理由")]
    key_area: bool = False
    valid_until: dt.date | None = None


class DecisionIn(BaseModel):
    approve: bool
    head_name: Annotated[str, Text(60, "负责人")]
    comment: Annotated[str, Text(NOTE, "意见")]


class UnplannedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subject_id: int
    enterprise_id: int
    reason: str
    key_area: bool
    requested_at: dt.datetime
    status: str
    approved_by: str
    decided_at: dt.datetime | None
    decision_comment: str
    filed_at: dt.datetime | None
    valid_until: dt.date | None

    @classmethod
    def of(cls, row: UnplannedApproval) -> UnplannedOut:
        """The API view of an unplanned approval."""
        return cls.model_validate(row)


class UnplannedPage(BaseModel):
    items: list[UnplannedOut]
    total: int
    page: int
