"""The inspection pages' forms (issue 19 item 2): one model per form, its fields labelled in
Chinese; a refused form comes back on its page with what was typed (web/form_state.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from wurao.core.text import NOTE
from wurao.inspections.observers import FINDING_MAX
from wurao.web.forms import PageForm
from wurao.web.params import MAX_ID, MAX_LIST, Text

Ref = Annotated[int, Field(ge=1, le=MAX_ID)]  # an officer's id in a checkbox group


class TaskForm(PageForm):
    """新建检查任务."""

    enterprise_uscc: Annotated[str, Text(18, "统一社会信用代码")] = ""
    method: Annotated[str, Text(10, "检查方式")] = ""
    origin: Annotated[str, Text(12, "检查来源")] = ""
    plan_entry_id: int | None = Field(None, ge=1, le=MAX_ID, title="年度计划条目")
    draw_id: int | None = Field(None, ge=1, le=MAX_ID, title="双随机抽查")
    special_id: int | None = Field(None, ge=1, le=MAX_ID, title="专项检查")
    unplanned_id: int | None = Field(None, ge=1, le=MAX_ID, title="计划外检查审批")
    trigger_ref: Annotated[str, Text(80, "线索编号")] = ""
    trigger_reason: Annotated[str, Text(NOTE, "检查理由")] = ""
    window_start: dt.date | None = Field(None, title="时间窗口开始")
    window_end: dt.date | None = Field(None, title="时间窗口结束")
    item_codes: list[Annotated[str, Text(40, "检查事项")]] = Field(
        default_factory=list, max_length=MAX_LIST, title="检查事项"
    )
    officer_ids: list[Ref] = Field(default_factory=list, max_length=MAX_LIST, title="执法人员")
    cross_region_approval_id: int | None = Field(None, ge=1, le=MAX_ID, title="异地检查批准编号")
    started_without_code_on: dt.date | None = Field(None, title="先行检查开始日期")
    finished_without_code_on: dt.date | None = Field(None, title="先行检查完成日期")
    legal_rep_required: bool = False


class IssueForm(PageForm):
    """申请赋码 (事后补码 with its reason)."""

    late_reason: Annotated[str, Text(NOTE, "补码理由")] = ""


class RevokeForm(PageForm):
    """撤销行政行为码."""

    reason: Annotated[str, Text(NOTE, "撤销理由")] = ""


class JoinForm(PageForm):
    """加入随行监督 (oneself, or a monitor one brings)."""

    monitor_id: int | None = Field(None, ge=1, le=MAX_ID, title="随行人员")


class FindingForm(PageForm):
    """记录监督发现."""

    text: Annotated[str, Text(FINDING_MAX, "监督发现")] = ""


class RecordForm(PageForm):
    """The phone page's record (the checklist's lines ``result_<id>``/``note_<id>`` are read
    from the form as they come: their names depend on the task)."""

    ids_shown: bool = False
    location: Annotated[str, Text(200, "检查地点")] = ""
    present_person: Annotated[str, Text(60, "企业在场人员")] = ""
    data_source: Annotated[str, Text(4000, "数据来源")] = ""
    findings: Annotated[str, Text(20000, "检查发现的问题")] = ""
    outcome: Annotated[str, Text(10, "处理结果")] = ""
    rectify_deadline: dt.date | None = Field(None, title="整改期限")


class EvidenceForm(PageForm):
    """登记外部保存的音视频 (an upload sends only its file)."""

    filename: Annotated[str, Text(200, "文件名")] = ""
    sha256: Annotated[str, Text(64, "SHA-256")] = ""
    uri: Annotated[str, Text(300, "存放位置")] = ""


class EvaluationForm(PageForm):
    """评价本次检查 (the public form behind the one-time link)."""

    rating: int | None = Field(None, ge=1, le=5, title="总体评分")
    comment: Annotated[str, Text(NOTE, "意见和建议")] = ""
    misconduct: list[Annotated[str, Text(40, "检查中的情况")]] = Field(
        default_factory=list, max_length=MAX_LIST, title="检查中的情况"
    )
    confirm_no_code: bool = False
