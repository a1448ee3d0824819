"""The planning pages' forms (issue 19 item 2): one model per form, its fields named as the
services name them in their refusals, so that each message comes back beside its field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from wurao.core.text import LONG_TEXT, NOTE
from wurao.web.forms import PageForm
from wurao.web.params import MAX_COUNT, MAX_ID, MAX_LIST, MAX_YEAR, MIN_YEAR, Text


class PlanForm(PageForm):
    """新建计划草稿."""

    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR, title="年度")
    title: Annotated[str, Text(200, "计划名称")] = ""


class EntryForm(PageForm):
    """添加检查内容: one line of a draft plan."""

    item_id: int = Field(ge=1, le=MAX_ID, title="检查事项")
    method: Annotated[str, Text(10, "检查方式")] = "onsite"
    selection: Annotated[str, Text(10, "对象确定方式")] = "dss"
    scope_region: Annotated[str, Text(12, "范围区划")] = ""
    scope_industry: Annotated[str, Text(5, "行业")] = ""
    scope_credit: Annotated[str, Text(8, "信用风险分类")] = ""
    scope_tag: Annotated[str, Text(40, "标签")] = ""
    planned_count: int = Field(0, ge=0, le=MAX_COUNT, title="计划户数")
    months: Annotated[str, Text(40, "实施月份")] = ""
    officers_per_team: int = Field(2, ge=0, le=MAX_COUNT, title="每组执法人员数")
    targets: Annotated[str, Text(LONG_TEXT, "定向检查对象")] = ""
    note: Annotated[str, Text(NOTE, "备注")] = ""


class PlanStepForm(PageForm):
    """The plan's next step; ``step`` is the button pressed."""

    step: Annotated[str, Text(20, "步骤")] = ""
    head_name: Annotated[str, Text(60, "批准的单位负责人")] = ""
    comment: Annotated[str, Text(NOTE, "意见")] = ""
    reason: Annotated[str, Text(NOTE, "调整理由")] = ""
    published_on: dt.date | None = Field(None, title="公布日期")


class FilingReviewForm(PageForm):
    """备案审核: ``decision`` is the button pressed."""

    decision: Annotated[str, Text(20, "决定")] = ""
    comment: Annotated[str, Text(NOTE, "审核意见")] = ""


class SpecialForm(PageForm):
    """起草专项检查."""

    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR, title="年度")
    title: Annotated[str, Text(200, "专项检查名称")] = ""
    necessity: Annotated[str, Text(LONG_TEXT, "必要性评估")] = ""
    scope: Annotated[str, Text(LONG_TEXT, "检查范围")] = ""
    start_on: dt.date | None = Field(None, title="开始日期")
    end_on: dt.date | None = Field(None, title="结束日期")
    item_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, max_length=MAX_LIST, title="检查事项"
    )


class LegalReviewForm(PageForm):
    """法制审核: ``decision`` is the button pressed."""

    decision: Annotated[str, Text(20, "决定")] = ""
    opinion: Annotated[str, Text(LONG_TEXT, "法制审核意见")] = ""


class SpecialStepForm(PageForm):
    """The special inspection's next step: discussion, approval, publication or filing."""

    step: Annotated[str, Text(20, "步骤")] = ""
    discussion_on: dt.date | None = Field(None, title="讨论日期")
    record: Annotated[str, Text(LONG_TEXT, "集体讨论记录")] = ""
    organ: Annotated[str, Text(120, "批准机关")] = ""
    approval_ref: Annotated[str, Text(120, "批准文号")] = ""
    approved_on: dt.date | None = Field(None, title="批准日期")


class UnplannedForm(PageForm):
    """计划外检查申请."""

    uscc: Annotated[str, Text(40, "统一社会信用代码")] = ""
    reason: Annotated[str, Text(NOTE, "理由")] = ""
    key_area: bool = False
    valid_until: dt.date | None = Field(None, title="有效期至")


class UnplannedDecisionForm(PageForm):
    """负责人审批: ``decision`` is the button pressed."""

    decision: Annotated[str, Text(20, "决定")] = ""
    head_name: Annotated[str, Text(60, "负责人姓名")] = ""
    comment: Annotated[str, Text(NOTE, "审批意见")] = ""
