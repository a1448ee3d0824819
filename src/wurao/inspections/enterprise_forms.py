"""The enterprise pages' forms and the subject's answers to them (issue 19 item 2): one model
per form, labelled in Chinese; a refused form comes back on its page (web/form_state.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field

from wurao.core.text import NOTE
from wurao.web.forms import PageForm
from wurao.web.params import MAX_ID, MAX_LONG_ID, Text


class DateRequestForm(PageForm):
    """申请改期."""

    wanted_on: dt.date | None = Field(None, title="希望的检查日期")
    reason: Annotated[str, Text(NOTE, "改期理由")] = ""


class ProofForm(PageForm):
    """提交整改材料 (the file comes beside the model)."""

    note: Annotated[str, Text(NOTE, "整改说明")] = ""


class GuidanceForm(PageForm):
    """邀约式指导: the enterprise's request."""

    subject_id: int | None = Field(None, ge=1, le=MAX_ID, title="执法单位")
    topic: Annotated[str, Text(NOTE, "需要指导的事项")] = ""
    preferred_on: dt.date | None = Field(None, title="希望的日期")


class AnswerForm(PageForm):
    """The subject's answer to a date request or a proof: agree, or decline with a reason."""

    decision: Annotated[str, Text(10, "答复")] = ""
    answer: Annotated[str, Text(NOTE, "答复意见")] = ""


class GuidanceAnswerForm(AnswerForm):
    """The subject's answer to a guidance request: the agreed day, or a reason."""

    agreed_on: dt.date | None = Field(None, title="约定日期")


class VisitForm(PageForm):
    """登记到访 (the officer scanned the enterprise's QR); the position is the phone's own."""

    kind: Annotated[str, Text(12, "到访事由")] = ""
    task_id: int | None = Field(None, ge=1, le=MAX_LONG_ID, title="检查任务")
    guidance_id: int | None = Field(None, ge=1, le=MAX_ID, title="指导申请")
    note: Annotated[str, Text(500, "备注")] = ""
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False, title="纬度")
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False, title="经度")
    accuracy: float | None = Field(None, ge=0, le=1e6, allow_inf_nan=False, title="定位精度")


class ActivateForm(PageForm):
    """激活企业账号: the password, twice (kept as typed: spaces are part of a password)."""

    model_config = ConfigDict(str_strip_whitespace=False, extra="ignore")

    password: Annotated[str, Text(200, "设置密码")] = ""
    confirm: Annotated[str, Text(200, "再次输入")] = ""
