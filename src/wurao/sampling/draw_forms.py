"""The page forms of a draw (issue 19 item 2): the definition, the freeze, the public value,
the cancellation and 回避; parsed into ``service.DrawData``; the field a rule belongs to."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from wurao.auth.scope import Actor
from wurao.core.errors import DomainError, InvalidInput, RuleViolation
from wurao.core.text import NOTE
from wurao.core.time import local_today
from wurao.sampling import service
from wurao.web.forms import PageForm
from wurao.web.params import MAX_COUNT, MAX_ID, MAX_LIST, Text

Ids = list[Annotated[int, Field(ge=1, le=MAX_ID)]]


class DrawForm(PageForm):
    """定义双随机抽查: several subjects and items may be ticked; ``replaces`` a draft."""

    title: Annotated[str, Text(200, "抽查名称")] = ""
    subject_ids: Ids = Field(default_factory=list, max_length=MAX_LIST, title="执法主体")
    item_ids: Ids = Field(default_factory=list, max_length=MAX_LIST, title="检查事项")
    region_code: Annotated[str, Text(12, "区划代码")] = ""
    industry_codes: Annotated[str, Text(200, "行业代码前缀")] = ""
    tags: Annotated[str, Text(200, "标签")] = ""
    exclude_months: int = Field(0, ge=0, le=60, title="排除近几个月内已检查的企业")
    class_A: bool = False  # the credit classes' tick boxes, named as in the form
    class_B: bool = False
    class_C: bool = False
    class_D: bool = False
    draw_date: dt.date | None = Field(None, title="抽取日期")
    method: Annotated[str, Text(10, "检查方式")] = "onsite"
    window_start: dt.date | None = Field(None, title="检查期限开始")
    window_end: dt.date | None = Field(None, title="检查期限结束")
    officers_per_subject: int = Field(2, ge=0, le=MAX_COUNT, title="每户每个主体派出人数")
    officer_cap: int = Field(10, ge=0, le=MAX_COUNT, title="每名执法人员本次最多任务数")
    public_value_note: Annotated[str, Text(200, "混入的公开随机数来源")] = ""
    replaces: int | None = Field(None, ge=1, le=MAX_ID, title="被修改的抽查")

    @property
    def credit_classes(self) -> str:
        ticked = (self.class_A, self.class_B, self.class_C, self.class_D)
        return "".join(c for c, on in zip("ABCD", ticked, strict=True) if on)


class FreezeForm(PageForm):
    """冻结名录库: a load above the threshold needs the tick and its reason."""

    override: bool = False
    override_reason: Annotated[str, Text(NOTE, "超负荷冻结的理由")] = ""


class PublicValueForm(PageForm):
    """录入公开随机数 (the supervisor)."""

    public_value: Annotated[str, Text(200, "公开随机数")] = ""


class CancelForm(PageForm):
    """取消抽查."""

    reason: Annotated[str, Text(NOTE, "取消理由")] = ""


class ConfirmForm(PageForm):
    """公开种子并抽取: without ``confirm=1`` the confirmation page comes first."""

    confirm: Annotated[str, Text(10, "确认")] = ""


class ConflictForm(PageForm):
    """登记回避."""

    cert_no: Annotated[str, Text(40, "执法证号")] = ""
    uscc: Annotated[str, Text(40, "统一社会信用代码")] = ""
    reason: Annotated[str, Text(NOTE, "回避事由")] = ""


def draw_data(form: DrawForm, actor: Actor) -> service.DrawData:
    """The definition typed in the form; the actor's own subject leads when ticked."""
    subject_ids = list(form.subject_ids)
    if actor.subject_id is not None and actor.subject_id in subject_ids:
        subject_ids.remove(actor.subject_id)
        subject_ids.insert(0, actor.subject_id)
    draw_date = form.draw_date or local_today()
    return service.DrawData(
        title=form.title,
        subject_ids=subject_ids,
        item_ids=list(form.item_ids),
        region_code=form.region_code or actor.region_code,
        draw_date=draw_date,
        method=form.method or "onsite",
        window_start=form.window_start or draw_date,
        window_end=form.window_end or draw_date,
        industry_codes=form.industry_codes,
        credit_classes=form.credit_classes,
        tags=form.tags,
        exclude_months=form.exclude_months,
        officers_per_subject=form.officers_per_subject,
        officer_cap=form.officer_cap,
        public_value_note=form.public_value_note,
    )


def on_its_field(exc: DomainError) -> DomainError:
    """C3 at definition (fewer than two officers per subject) belongs beside that number."""
    if isinstance(exc, RuleViolation) and all(
        v.rule_id.startswith("C3") and "value" in v.evidence for v in exc.violations
    ):
        return InvalidInput(exc.message, field="officers_per_subject")
    return exc
