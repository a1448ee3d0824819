"""The case pages' forms (issue 19 item 2): one model per form, its fields labelled in Chinese;
a refused form comes back on its page with what was typed (web/form_state.py).

The limits are the API's (``schemas.CaseIn``) and the columns' (``models.PenaltyCase``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from wurao.cases.statuses import Origin, PartyKind, Procedure
from wurao.core.text import LONG_TEXT
from wurao.web.forms import PageForm
from wurao.web.params import MAX_ID, MAX_LIST, MAX_YEAR, MIN_YEAR, Text

# A legal date of a case: within the policy file's and the holiday schedules' years (as
# ``schemas.Day``), else no clock length could be read for it.
Day = Annotated[dt.date, Field(ge=dt.date(MIN_YEAR, 1, 1), le=dt.date(MAX_YEAR, 12, 31))]
Ref = Annotated[int, Field(ge=1, le=MAX_ID)]  # an officer's id in the checkbox group


class CaseOpeningForm(PageForm):
    """登记案件. ``person_ric`` is never written back into the page (the template renders it
    with ``ric_field``, as the registry's forms do), not even when the form is refused."""

    origin: Annotated[str, Text(10, "案件来源")] = Origin.OWN.value
    record_id: int | None = Field(None, ge=1, le=MAX_ID, title="检查笔录")
    clue_id: int | None = Field(None, ge=1, le=MAX_ID, title="监督线索")
    origin_ref: Annotated[str, Text(120, "移送、交办文号")] = ""
    procedure: Annotated[str, Text(10, "办案程序")] = Procedure.ORDINARY.value
    party_kind: Annotated[str, Text(12, "当事人类型")] = PartyKind.ENTERPRISE.value
    enterprise_id: int | None = Field(None, ge=1, le=MAX_ID, title="当事人（企业）")
    enterprise_uscc: Annotated[str, Text(18, "统一社会信用代码")] = ""  # a client's fallback
    person_name: Annotated[str, Text(60, "公民姓名")] = ""
    person_ric: Annotated[str, Text(18, "居民身份证号")] = ""
    act_on: Day | None = Field(None, title="违法行为发生日期")
    act_end_on: Day | None = Field(None, title="违法行为终了日期")
    found_on: Day | None = Field(None, title="线索发现日期")
    facts: Annotated[str, Text(LONG_TEXT, "违法事实")] = ""
    provisions_breached: Annotated[str, Text(LONG_TEXT, "违反的规定")] = ""
    provisions_applied: Annotated[str, Text(LONG_TEXT, "处罚依据")] = ""
    grave_harm: bool = False
    complex_case: bool = False
    officer_ids: list[Ref] = Field(default_factory=list, max_length=MAX_LIST, title="承办人员")
