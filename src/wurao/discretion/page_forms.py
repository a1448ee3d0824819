"""The benchmark and leniency-list pages' forms, and the case page's two discretion forms
(issue 19 item 2): one model per form, labelled in Chinese; a refused form comes back on its
page with what was typed (web/form_state.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from wurao.web.forms import PageForm
from wurao.web.params import Text


class TableForm(PageForm):
    """新建裁量基准."""

    owner_kind: Annotated[str, Text(10, "制定者")] = ""
    region_code: Annotated[str, Text(12, "行政区划代码")] = ""
    field: Annotated[str, Text(30, "执法领域")] = ""
    title: Annotated[str, Text(200, "基准名称")] = ""
    doc_number: Annotated[str, Text(120, "文号")] = ""
    effective_from: dt.date | None = Field(None, title="施行日期")


class ImportForm(PageForm):
    """导入 .xlsx (the file comes beside the model): only the rows that pass, or none."""

    accept_valid: bool = False


class ListImportForm(ImportForm):
    """导入清单: the list's region."""

    region_code: Annotated[str, Text(12, "行政区划代码")] = ""


class LeniencyForm(PageForm):
    """加入清单: one entry of a leniency list."""

    region_code: Annotated[str, Text(12, "行政区划代码")] = ""
    field: Annotated[str, Text(30, "执法领域")] = ""
    kind: Annotated[str, Text(16, "清单类别")] = ""
    violation: Annotated[str, Text(300, "违法行为")] = ""
    violation_code: Annotated[str, Text(40, "违法行为编码")] = ""
    provision: Annotated[str, Text(2000, "法律依据")] = ""
    conditions: Annotated[str, Text(2000, "适用条件")] = ""


class CaseLeniencyForm(PageForm):
    """The case page's 记录清单适用."""

    choice: Annotated[str, Text(16, "是否适用清单")] = ""
    reason: Annotated[str, Text(2000, "理由")] = ""


class CaseDiscretionForm(PageForm):
    """The case page's 记录裁量情节."""

    circumstance: Annotated[str, Text(8, "裁量情节")] = ""
    violation_code: Annotated[str, Text(40, "违法行为编码")] = ""
    discretion_reason: Annotated[str, Text(2000, "裁量说明")] = ""
