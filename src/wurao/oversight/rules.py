"""Supervision rules: named objects (docs/rules.md id, Chinese title, source, severity, policy
parameters) whose ``find`` query returns findings with their evidence.

The sweep (``wurao.oversight.engine``) turns each finding into one Alert, keyed by the
finding's ``dedup_key`` so that a second sweep raises nothing new. Each ``find`` is written
as a few set-based queries so that it stays a batch job at province scale; a context with
``task_ids`` narrows the task-based rules to the tasks just written.

This module is the registry: ``RULES``, ``BY_ID`` and ``ALL_PARAMS``. ``Context``,
``Finding`` and ``Rule`` (re-exported here) and the policy helpers live in ``rule_base``; the
``find`` functions in ``rules_burden`` (A5, F3, A6, F9, F2 deregistered), ``rules_conduct``
(A2, A4, A8) and ``rules_follow_up`` (L1, A7, C6, F2 evaluations and reports, F8).
"""

from __future__ import annotations

from wurao.admin import service as admin_service
from wurao.inspections.rules import F9_ID, F9_SOURCE, TRIGGERED_POLICY
from wurao.oversight import rules_burden, rules_conduct, rules_follow_up
from wurao.oversight.rule_base import Context, Finding, Rule

REPEAT_NONE_SOURCE = (
    "路桥区涉企行政检查专项整治方案 二(三)：设置冲量任务重复检查且未发现问题；"
    "国办发〔2024〕54号 §九。次数阈值（政策参数 oversight.repeat_none_min）为本平台设定"
)

_LUQIAO = "路桥区涉企行政检查专项整治方案"
_54 = "国办发〔2024〕54号"

RULES: tuple[Rule, ...] = (
    Rule(
        "A5 INSP-FREQ-CAP",
        "同一主体对同一企业现场检查达到年度频次上限",
        f"{_54} §四；衢政办发〔2025〕16号 第8、9项",
        "WARN",
        (
            "inspection.onsite_cap_per_year",
            "inspection.cap_counted_methods",
            "inspection.cap_exempt_origins",
        ),
        "本年度同一执法主体对同一企业计入上限的检查（未取消，方式与来源按政策参数）达到或超过上限。",
        rules_burden.cap,
        unconfirmed=True,
    ),
    Rule(
        "F3 MULTI-AGENCY",
        "多头检查：同一企业短期内被多个执法主体检查",
        f"{_54} §九；{_LUQIAO} 第5项",
        "WARN",
        ("oversight.multi_agency_window_days", "oversight.multi_agency_min_subjects"),
        "窗口期内（检查窗口开始日）分别实施检查（已实施或已办结；联合检查为一次，计其牵头主体）"
        "的不同执法主体数达到阈值。",
        rules_burden.multi,
        unconfirmed=True,
    ),
    Rule(
        "A6 INSP-MERGE-JOINT-OFFSITE",
        "重复检查风险预警：仍计划检查已被多头检查的企业",
        f"{_54} §四、§九；优化营商环境条例 第五十四条；{_LUQIAO} 第5项（定点通知、风险提示函）",
        "WARN",
        ("oversight.multi_agency_window_days", "oversight.multi_agency_min_subjects"),
        "对被多头检查的企业，尚有待实施任务或本年度计划检查对象的其他主体各收到一条预警。",
        rules_burden.early_warning,
        unconfirmed=True,
    ),
    Rule(
        "F3 REPEAT-NONE",
        "冲量式重复检查：同一主体多次检查同一企业均未发现问题",
        REPEAT_NONE_SOURCE,
        "WARN",
        ("oversight.repeat_none_min",),
        "本年度同一主体对同一企业已办结、结果为“无问题”的检查达到政策参数规定次数。",
        rules_burden.repeat_none,
        unconfirmed=True,
    ),
    Rule(
        F9_ID,
        "触发式检查明显超过合理频次",
        F9_SOURCE,
        "WARN",
        (TRIGGERED_POLICY,),
        "本年度同一企业接受的触发式现场检查（投诉举报、转办交办、数据监测线索，已赋码未取消；"
        "各执法主体合计，联合检查计一次）超过政策参数规定的合理频次。触发式检查不受年度频次"
        "上限限制（A5），本规则防止其明显超过合理频次。",
        rules_burden.triggered,
        unconfirmed=True,
    ),
    Rule(
        "F2 DEREGISTERED",
        "对已注销、吊销的市场主体开展检查",
        f"{_LUQIAO} 二(三)",
        "WARN",
        (),
        "未取消的检查任务，其检查对象状态为注销或吊销。",
        rules_burden.deregistered,
    ),
    Rule(
        "A2 INSP-CERT",
        "无证人员或辅助人员参与检查",
        f"{_54} §二；行政处罚法 第四十二条",
        "BLOCK",
        (),
        "任务执法人员为辅助人员，或在检查窗口开始日无有效行政执法证。",
        rules_conduct.uncertified,
    ),
    Rule(
        "A4 INSP-APPROVAL",
        "补码或无码检查",
        f"衢政办发〔2025〕16号 第7项；{_LUQIAO}（无码不查、无码无效）",
        "WARN",
        ("code.late_window_working_days",),
        "行政行为码为事后补码；或任务已实施/已办结、记录已完成却没有行政行为码。",
        rules_conduct.codes,
    ),
    Rule(
        "A8 INSP-LOCALITY",
        "未经批准的异地检查",
        f"{_54}；衢政办发〔2025〕16号 第10项",
        "BLOCK",
        (),
        "检查对象所在地不在执法主体辖区内，且没有登记的共同上级机关批准覆盖本次检查（批准机关"
        "辖区须同时包括执法主体和企业所在地，批准日期不晚于检查开始，批准范围包括该企业、"
        "检查事项和检查时间）。",
        rules_conduct.remote,
    ),
    Rule(
        "L1 UNPLANNED-FILING",
        "计划外检查未报备",
        f"{_LUQIAO}（计划外检查须经批准并报备）",
        "WARN",
        (),
        "计划外检查审批已批准但未报备执法监督机构。",
        rules_follow_up.unplanned,
        task_based=False,
    ),
    Rule(
        "A7 INSP-SPECIAL-PLAN",
        "专项检查超过年度数量上限",
        f"{_54} §六；衢政办发〔2025〕16号 第6项",
        "WARN",
        ("special.annual_quota",),
        "本年度已批准（含已公布、已报备）的专项检查数超过上限。年度数量控制计算的是经批准组织"
        "的专项检查：草稿及法制审核、集体讨论中的不占名额，批准时核对名额。",
        rules_follow_up.special,
        task_based=False,
        unconfirmed=True,
    ),
    Rule(
        "C6 DSS-PUBLISH-20WD",
        "双随机抽查结果逾期未公示",
        "国发〔2019〕5号；企业信息公示暂行条例 第六条",
        "WARN",
        ("dss.publish_working_days",),
        "来源为双随机的检查记录已完成，自完成日起超过规定工作日仍未公示。",
        rules_follow_up.dss_late,
    ),
    Rule(
        "F2 EVALUATION",
        "企业差评或反映执法人员不当行为",
        f"{_54} §九；{_LUQIAO}",
        "WARN",
        ("evaluations.low_rating_max",),
        "企业提交的评价不高于政策参数规定的分数，或勾选了不当行为。",
        rules_follow_up.evaluations,
    ),
    Rule(
        "F2 CODELESS-REPORT",
        "举报未亮码检查",
        f"{_LUQIAO}（无码不查、无码无效）",
        "WARN",
        (),
        "来源为“未亮码检查举报”且尚未办结的监督线索。",
        rules_follow_up.codeless_reports,
        task_based=False,
    ),
    Rule(
        "F8 TARGETS",
        "检查指标偏离目标方向",
        "衢政办发〔2025〕16号 §一（联合检查率80%、现场检查下降、非现场占比上升）",
        "WARN",
        ("joint.target_rate", "oversight.trend_min_inspections", "oversight.trend_min_drop"),
        "年初至今与上年同期比（两期检查均达到政策参数规定次数）：联合检查率低于目标且"
        "下降、非现场占比下降、问题发现率下降，下降幅度达到政策参数规定的比率之差。",
        rules_follow_up.trends,
        task_based=False,
        unconfirmed=True,
    ),
    Rule(
        admin_service.SCHEDULE_RULE,
        "下一年度法定节假日安排尚未导入",
        admin_service.SCHEDULE_SOURCE,
        "WARN",
        (admin_service.WARN_FROM,),
        "自政策参数规定的日期起，下一年度的国务院办公厅节假日安排既不在日历程序包中，"
        "也未导入；每个执法监督机构的辖区各一条，每年一次。",
        admin_service.next_year_findings,
        task_based=False,
        unconfirmed=True,
    ),
)

BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
ALL_PARAMS: tuple[str, ...] = tuple(sorted({p for r in RULES for p in r.params}))

__all__ = ["ALL_PARAMS", "BY_ID", "RULES", "Context", "Finding", "Rule"]
