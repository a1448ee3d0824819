"""API shapes of plans, special inspections and unplanned approvals."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from wurao.planning.models import InspectionPlan, PlanEntry, SpecialInspection, UnplannedApproval


class EntryIn(BaseModel):
    item_id: int
    method: str = "onsite"
    selection: str = "dss"
    scope_region: str = ""
    scope_industry: str = ""
    scope_credit: str = ""
    scope_tag: str = ""
    planned_count: int = 0
    months: list[int] = Field(default_factory=list)
    officers_per_team: int = 2
    note: str = ""
    target_ids: list[int] = Field(default_factory=list)


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
    year: int
    title: str = ""


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
    head_name: str
    comment: str = ""


class CommentIn(BaseModel):
    comment: str = ""


class PublishIn(BaseModel):
    on: dt.date | None = None


class ReviewIn(BaseModel):
    accept: bool
    comment: str = ""


class AmendIn(BaseModel):
    reason: str


class CandidateOut(BaseModel):
    year: int
    subject_ids: tuple[int, int]
    subject_names: tuple[str, str]
    plan_ids: tuple[int, int]
    entry_ids: tuple[int, int]
    item_names: tuple[str, str]
    selections: tuple[str, str]
    months: list[int]
    enterprises: int
    visits_saved: int
    exact: bool


class SpecialIn(BaseModel):
    year: int
    title: str
    necessity: str
    scope: str
    start_on: dt.date
    end_on: dt.date
    item_ids: list[int]
    joint_subject_ids: list[int] = Field(default_factory=list)


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
    opinion: str


class DiscussionIn(BaseModel):
    on: dt.date
    record: str


class SpecialApprovalIn(BaseModel):
    organ: str
    ref: str
    on: dt.date


class UnplannedIn(BaseModel):
    enterprise_uscc: str
    reason: str
    key_area: bool = False
    valid_until: dt.date | None = None


class DecisionIn(BaseModel):
    approve: bool
    head_name: str
    comment: str


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
