"""Supervision rules: for each catalogue rule the sweep checks (``wurao.core.rules``), what it
looks for and the ``find`` query that returns findings with their evidence.

The sweep (``wurao.oversight.engine``) turns each finding into one Alert, keyed by the
finding's ``dedup_key`` so that a second sweep raises nothing new. Each ``find`` is written
as a few set-based queries so that it stays a batch job at province scale; a context with
``task_ids`` narrows the task-based rules to the tasks just written.

This module is the registry: ``RULES``, ``BY_ID`` and ``ALL_PARAMS``. ``Context``,
``Finding`` and ``SupervisionRule`` (re-exported here) and the policy helpers live in
``rule_base``; the ``find`` functions in ``rules_burden`` (A5, F3, A6, F9, F2 deregistered),
``rules_conduct`` (A2, A4, A8) and ``rules_follow_up`` (L1, A7, C6, F2 evaluations and
reports, F8), ``rules_cases`` (F5, overdue penalty-case clocks) and ``rules_fines`` (F1, the
F2 fine patterns, D15 fines collected by the organ).
"""

from __future__ import annotations

from wurao.core import rules as catalogue
from wurao.oversight import (
    calendar_rule,
    rules_annual,
    rules_burden,
    rules_cases,
    rules_coercion,
    rules_conduct,
    rules_fines,
    rules_follow_up,
)
from wurao.oversight.filings import sweep as filings_sweep
from wurao.oversight.rule_base import Context, Finding, SupervisionRule

RULES: tuple[SupervisionRule, ...] = (
    SupervisionRule(
        catalogue.A5,
        "本年度同一执法主体对同一企业计入上限的检查（未取消，方式与来源按政策参数）达到或超过上限。",
        rules_burden.cap,
        alert_severity="WARN",
    ),
    SupervisionRule(
        catalogue.F3_MULTI,
        "窗口期内（检查窗口开始日）分别实施检查（已实施或已办结；联合检查为一次，计其牵头主体）"
        "的不同执法主体数达到阈值。",
        rules_burden.multi,
    ),
    SupervisionRule(
        catalogue.A6,
        "重复检查风险预警：对被多头检查的企业，尚有待实施任务或本年度计划检查对象的其他主体"
        "各收到一条预警。",
        rules_burden.early_warning,
    ),
    SupervisionRule(
        catalogue.F3_REPEAT,
        "本年度同一主体对同一企业已办结、结果为“无问题”的检查达到政策参数规定次数。",
        rules_burden.repeat_none,
    ),
    SupervisionRule(
        catalogue.F9,
        "本年度同一企业接受的触发式现场检查（投诉举报、转办交办、数据监测线索，已赋码未取消；"
        "各执法主体合计，联合检查计一次）超过政策参数规定的合理频次。触发式检查不受年度频次"
        "上限限制（A5），本规则防止其明显超过合理频次。",
        rules_burden.triggered,
    ),
    SupervisionRule(
        catalogue.F2_DEREGISTERED,
        "未取消的检查任务，其检查对象状态为注销或吊销。",
        rules_burden.deregistered,
    ),
    SupervisionRule(
        catalogue.A2,
        "无证人员或辅助人员参与检查：任务执法人员为辅助人员，或在检查窗口开始日无有效行政执法证。",
        rules_conduct.uncertified,
    ),
    SupervisionRule(
        catalogue.A4,
        "补码或无码检查：行政行为码为事后补码；或任务已实施/已办结、记录已完成却没有行政行为码。",
        rules_conduct.codes,
        alert_severity="WARN",
    ),
    SupervisionRule(
        catalogue.A8,
        "未经批准的异地检查：检查对象所在地不在执法主体辖区内，且没有登记的共同上级机关批准"
        "覆盖本次检查（批准机关辖区须同时包括执法主体和企业所在地，批准日期不晚于检查开始，"
        "批准范围包括该企业、检查事项和检查时间）。",
        rules_conduct.remote,
    ),
    SupervisionRule(
        catalogue.L1,
        "计划外检查审批已批准但未报备执法监督机构。",
        rules_follow_up.unplanned,
        task_based=False,
    ),
    SupervisionRule(
        catalogue.A7,
        "专项检查超过年度数量上限：本年度已批准（含已公布、已报备）的专项检查数超过上限。"
        "年度数量控制计算的是经批准组织的专项检查：草稿及法制审核、集体讨论中的不占名额，"
        "批准时核对名额。",
        rules_follow_up.special,
        task_based=False,
        alert_severity="WARN",
    ),
    SupervisionRule(
        catalogue.C6,
        "双随机抽查结果逾期未公示：来源为双随机的检查记录已完成，自完成日起超过规定工作日"
        "（按完成日现行的政策参数）仍未公示。",
        rules_follow_up.dss_late,
    ),
    SupervisionRule(
        catalogue.F2_EVALUATION,
        "企业提交的评价不高于政策参数规定的分数，或勾选了不当行为。",
        rules_follow_up.evaluations,
    ),
    SupervisionRule(
        catalogue.F2_CODELESS,
        "来源为“未亮码检查举报”且尚未办结的监督线索。",
        rules_follow_up.codeless_reports,
        task_based=False,
    ),
    SupervisionRule(
        catalogue.F8,
        "年初至今与上年同期比（两期检查均达到政策参数规定次数）：联合检查率低于目标且"
        "下降、非现场占比下降、问题发现率下降，下降幅度达到政策参数规定的比率之差。",
        rules_follow_up.trends,
        task_based=False,
    ),
    SupervisionRule(
        catalogue.DAY_NEXT_YEAR,
        "自政策参数规定的日期起，下一年度的国务院办公厅节假日安排既不在日历程序包中，"
        "也未导入；每个执法监督机构的辖区各一条，每年一次。",
        calendar_rule.next_year_findings,
        task_based=False,
    ),
    SupervisionRule(
        catalogue.F5_CASE_OVERDUE,
        "行政处罚案件（普通程序，未结案、未撤案、未决定不予立案）超过法定期限仍未决定是否立案、"
        "未作出处罚决定或未送达决定书（期限按案件时间轴计算，扣除中止期间、加上批准延长）；"
        "每件案件每个期限一条。",
        rules_cases.overdue,
        task_based=False,
    ),
    SupervisionRule(
        catalogue.F5_STATS,
        "自1月1日起，已公告的执法主体尚未公布上一年度行政执法数据的，每个主体一条提醒；"
        "超过政策参数规定的截止日（1月31日）仍未公布的，再提示逾期一条（状态由报表领域答复）。",
        rules_annual.unpublished,
        task_based=False,
    ),
    SupervisionRule(
        catalogue.E7,
        "查封、扣押、冻结期满（三十日，经批准延长的六十日，书面告知的检测期间不计入）仍未作出没收、"
        "销毁或解除决定的行政强制措施；每项措施一条。",
        rules_coercion.expired,
        task_based=False,
    ),
    SupervisionRule(
        catalogue.D25,
        "须备案的重大执法决定（按政策参数：罚款达到较大数额、吊销许可证件、责令停产停业、"
        "查封扣押等）超过备案期限仍未报备，或逾期报备；每件备案一条。",
        filings_sweep.late_filings,
        task_based=False,
    ),
    SupervisionRule(
        catalogue.F1_FINE_GROWTH,
        "执法主体及县级地区本年度已结束各月的罚没收入（财政导入数优先，否则为案件已缴罚款）较上年"
        "同期增长超过预警值（上年同期达到政策参数规定的最低金额）；每个主体或地区每年一条。",
        rules_fines.fine_growth,
        task_based=False,
    ),
    SupervisionRule(
        catalogue.F2_MAX_PENALTY,
        "本年度有裁量基准可依的罚款决定中，罚款达到基准幅度上限（顶格）的占比超过预警值"
        "（决定数达到政策参数规定的最少件数）；每个执法主体每年一条。",
        rules_fines.max_penalty,
        task_based=False,
    ),
    SupervisionRule(
        catalogue.F2_SAME_AMOUNT,
        "本年度普通程序罚款决定中，同一罚款金额的件数占比超过预警值（决定数达到政策参数规定的"
        "最少件数）；每个执法主体每年一条。",
        rules_fines.same_amount,
        task_based=False,
    ),
    SupervisionRule(
        catalogue.F2_MONTH_END,
        "本年度已结束各月的罚款决定中，在每月最后N日作出的占比超过均匀分布预期占比的规定倍数"
        "（决定数达到政策参数规定的最少件数）；每个执法主体每年一条。",
        rules_fines.month_end,
        task_based=False,
    ),
    SupervisionRule(
        catalogue.D15,
        "罚款由执法机关当场收缴，且不属于当场处罚小额罚款（当场收缴上限按缴款日现行政策参数）："
        "须核实是否属于不当场收缴事后难以执行或边远、水上、交通不便地区等法定情形；每件案件一条。",
        rules_fines.self_collected,
        task_based=False,
        alert_severity="WARN",
    ),
)

BY_ID: dict[str, SupervisionRule] = {r.id: r for r in RULES}
ALL_PARAMS: tuple[str, ...] = tuple(sorted({p for r in RULES for p in r.params}))

__all__ = ["ALL_PARAMS", "BY_ID", "RULES", "Context", "Finding", "SupervisionRule"]
