"""The rule catalogue: every coded rule's id, Chinese title, source, severity and parameters.

A rule is defined here once. The domains keep only their check functions and refer to an
entry (``rule("A5 INSP-FREQ-CAP")`` or the constant it is bound to), so the pre-check, the
plan approval, the record, the supervision sweep, the public rules page, ``wurao rules list``
and docs/rules.md all show the same title and source for the same id. Defining an id twice
fails at import time; looking up an unknown id fails at once (``tests/core/test_rules_catalogue``
also walks every place in the code that names a rule id).

``severity`` is the rule's own: BLOCK stops the act (a code, a plan approval, a record), WARN
lets it go on with a visible warning. A check that applies a BLOCK rule only as a warning —
the sweep's alert about a cap already reached, the pre-check's reminder of the 五个严禁 — says
so where it is declared (``RuleDef.warning``, ``Precheck.warn_only``,
``SupervisionRule.alert_severity``).
"""

from __future__ import annotations

from dataclasses import dataclass

from wurao.core.errors import Violation

SEVERITIES = ("BLOCK", "WARN")


@dataclass(frozen=True)
class RuleDef:
    """One rule as docs/rules.md and the public rules page name it."""

    id: str  # "A5 INSP-FREQ-CAP": the id the code, the tests, alerts and the pages cite
    title: str  # Chinese, shown to users
    source: str  # the legal or policy text it rests on, as precise as known
    severity: str  # BLOCK or WARN
    params: tuple[str, ...] = ()  # policy parameters holding its thresholds
    unconfirmed: bool = False  # a threshold is this platform's choice, not a primary text's

    def violation(self, detail: str, **evidence: object) -> Violation:
        """A failure of this rule with its evidence, at the rule's severity."""
        return Violation(self.id, self.title, self.source, detail, self.severity, evidence)

    def warning(self, detail: str, **evidence: object) -> Violation:
        """A finding of this rule that a check reports as a warning only (WARN)."""
        return Violation(self.id, self.title, self.source, detail, "WARN", evidence)


_CATALOGUE: dict[str, RuleDef] = {}


class UnknownRule(LookupError):
    """A rule id that the catalogue does not define (a programming error, never user input)."""


def define(
    rule_id: str,
    title: str,
    source: str,
    severity: str,
    params: tuple[str, ...] = (),
    *,
    unconfirmed: bool = False,
) -> RuleDef:
    """Add a rule to the catalogue; an id defined twice is refused."""
    if rule_id in _CATALOGUE:
        raise ValueError(f"rule {rule_id!r} is defined twice")
    if severity not in SEVERITIES:
        raise ValueError(f"rule {rule_id!r}: unknown severity {severity!r}")
    entry = RuleDef(rule_id, title, source, severity, params, unconfirmed)
    _CATALOGUE[rule_id] = entry
    return entry


def rule(rule_id: str) -> RuleDef:
    """The catalogue entry of ``rule_id``; an unknown id raises :class:`UnknownRule`."""
    try:
        return _CATALOGUE[rule_id]
    except KeyError:
        raise UnknownRule(rule_id) from None


def catalogue() -> tuple[RuleDef, ...]:
    """Every rule, in catalogue order."""
    return tuple(_CATALOGUE.values())


_54 = "国办发〔2024〕54号"
_16 = "衢政办发〔2025〕16号"
_LUQIAO = "路桥区涉企行政检查专项整治方案"

# --- A: whether an inspection may take place ----------------------------------------------

A1 = define("A1 INSP-SUBJ-QUAL", "执法主体资格", f"{_54} §二；{_16} 第1项", "BLOCK")
A2 = define(
    "A2 INSP-CERT",
    "执法人员资格",
    f"{_54} §二；行政处罚法 第42条、第55条",
    "BLOCK",
    ("auth.certificate_review_required",),
)
A3 = define(
    "A3 INSP-ITEM-PUBLISHED",
    "检查事项已公布且属于本主体领域",
    f"{_54} §三；{_16} 第2项",
    "BLOCK",
)
TARGET_STATUS = define(
    "A INSP-TARGET-STATUS", "检查对象状态", "路桥方案 二(三)：对已注销的市场主体开展检查", "BLOCK"
)
A4 = define(
    "A4 INSP-APPROVAL",
    "检查有来源且经批准，先赋码后检查（无码不查）",
    "路桥方案 三(二)1：原则上不得开展计划外检查，确需开展的须经批准并报备；路桥方案 二(二)6"
    f"（无码不查、无码无效）；{_54} §三、§六；{_16} 第7项：因特殊原因无法事前报批的，"
    "1个工作日内补办批准手续并赋码",
    "BLOCK",
    ("code.late_window_working_days", "planning.unplanned_valid_days"),
)
A5 = define(
    "A5 INSP-FREQ-CAP",
    "同一主体对同一企业现场检查年度频次上限",
    f"{_54} §四；{_16} 第8项、第9项（触发式检查不受限）",
    "BLOCK",
    (
        "inspection.onsite_cap_per_year",
        "inspection.cap_counted_methods",
        "inspection.cap_exempt_origins",
    ),
    unconfirmed=True,
)
A6 = define(
    "A6 INSP-MERGE-JOINT-OFFSITE",
    "能合并不重复、能联合不多头、能非现场不入企",
    f"{_54} §四、§九；优化营商环境条例 第54条；{_16} 第5项；"
    f"{_LUQIAO} 第5项（定点通知、风险提示函）",
    "WARN",
    ("oversight.multi_agency_window_days", "oversight.multi_agency_min_subjects"),
    unconfirmed=True,
)
A7 = define(
    "A7 INSP-SPECIAL-PLAN",
    "专项检查须经法制审核、集体讨论和政府批准，实行年度数量控制",
    f"{_54} §六；{_16} 第6项：专项检查要实行年度数量控制",
    "BLOCK",
    ("special.annual_quota",),
    unconfirmed=True,
)
A8 = define(
    "A8 INSP-LOCALITY",
    "属地管辖（异地检查须经共同上级批准）",
    f"{_54}；{_16} 第10项：确需开展异地检查的，应当报共同上一级行政执法机关批准，"
    "并告知当地主管部门",
    "BLOCK",
)

# --- B: how an inspection is carried out ---------------------------------------------------

B1 = define(
    "B1 TWO-OFFICERS",
    "每个执法主体至少两名持证执法人员",
    "行政处罚法 第42条；行政强制法 第18条",
    "BLOCK",
)
B2 = define("B2 SHOW-ID", "出示执法证件和行政行为码", f"行政处罚法 第55条；{_16} 第7项", "BLOCK")
B3 = define("B3 RECORD", "检查笔录", "行政处罚法 第47条、第55条", "BLOCK")
B4 = define("B4 RECUSAL", "回避", "行政处罚法 第43条", "BLOCK")
B5 = define("B5 FIVE-BANS", "五个严禁、八个不得", f"{_54} §七（新闻报道表述，原文待核）", "BLOCK")

# --- C: 双随机、一公开 and plans ---------------------------------------------------------------

PLAN_APPROVAL = define(
    "PLAN-APPROVAL",
    "年度检查计划经负责人批准后公布",
    f"{_16} 第4项：经本单位负责人批准后向社会公布",
    "BLOCK",
)
C3 = define(
    "C3 DSS-DRAW-INSPECTORS",
    "双随机抽取检查人员",
    "国办发〔2015〕58号；行政处罚法 第42条、第43条",
    "BLOCK",
)
C5 = define(
    "C5 DSS-PLAN-FILING",
    "年度检查计划报备",
    "路桥方案 三(二)1：各执法单位将年度执法计划报送备案；国发〔2019〕5号",
    "WARN",
)
C6 = define(
    "C6 DSS-PUBLISH-20WD",
    "双随机抽查结果限期公示",
    "国发〔2019〕5号；企业信息公示暂行条例 第六条（抽查检查结束之日起20个工作日内）",
    "WARN",
    ("dss.publish_working_days", "dss.publish_warn_working_days"),
)

# --- F and L: supervision -------------------------------------------------------------------

F2_DEREGISTERED = define(
    "F2 DEREGISTERED", "对已注销、吊销的市场主体开展检查", f"{_LUQIAO} 二(三)", "WARN"
)
F2_EVALUATION = define(
    "F2 EVALUATION",
    "企业差评或反映执法人员不当行为",
    f"{_54} §九；{_LUQIAO}",
    "WARN",
    ("evaluations.low_rating_max",),
)
F2_CODELESS = define(
    "F2 CODELESS-REPORT", "举报未亮码检查", f"{_LUQIAO}（无码不查、无码无效）", "WARN"
)
F2_CLUE_DEADLINE = define(
    "F2 CLUE-DEADLINE",
    "交办的监督线索按期办理",
    f"{_LUQIAO}：对接12345平台、信访局线索，对整治工作不力的挂牌督办；"
    "期限为本平台设定（政策参数 clue.answer_working_days）",
    "WARN",
    ("clue.answer_working_days", "clue.problem_types"),
    unconfirmed=True,
)
F3_MULTI = define(
    "F3 MULTI-AGENCY",
    "多头检查：同一企业短期内被多个执法主体检查",
    f"{_54} §九；{_LUQIAO} 第5项",
    "WARN",
    ("oversight.multi_agency_window_days", "oversight.multi_agency_min_subjects"),
    unconfirmed=True,
)
F3_REPEAT = define(
    "F3 REPEAT-NONE",
    "冲量式重复检查：同一主体多次检查同一企业均未发现问题",
    f"{_LUQIAO} 二(三)：设置冲量任务重复检查且未发现问题；{_54} §九。"
    "次数阈值（政策参数 oversight.repeat_none_min）为本平台设定",
    "WARN",
    ("oversight.repeat_none_min",),
    unconfirmed=True,
)
F8 = define(
    "F8 TARGETS",
    "检查指标偏离目标方向",
    f"{_16} §一（联合检查率80%、现场检查下降、非现场占比上升）",
    "WARN",
    ("joint.target_rate", "oversight.trend_min_inspections", "oversight.trend_min_drop"),
    unconfirmed=True,
)
F9 = define(
    "F9 TRIGGERED-FREQ",
    "触发式检查不得明显超过合理频次",
    f"{_16} 第9项：根据投诉举报、转办交办、数据监测等线索确需实施触发式现场检查的，"
    "可以不受年度频次上限限制，但不得明显超过合理频次（docs/rules.md F3 高频检查之一；"
    "“合理频次”未规定数值，政策参数 oversight.triggered_max_per_year 为本平台设定）",
    "WARN",
    ("oversight.triggered_max_per_year",),
    unconfirmed=True,
)
L1 = define(
    "L1 UNPLANNED-FILING",
    "计划外检查未报备",
    f"{_LUQIAO} 三(二)1（计划外检查须经批准并报备）",
    "WARN",
)

# --- working days ---------------------------------------------------------------------------

DAY_NEXT_YEAR = define(
    "DAY-NEXT-YEAR",
    "下一年度法定节假日安排尚未导入",
    "国务院办公厅关于下一年部分节假日安排的通知（每年10—11月发布）；"
    "行政处罚法 第八十五条、行政强制法 第六十九条（期间按工作日计算）",
    "WARN",
    ("calendar.warn_from",),
    unconfirmed=True,
)

# --- D: penalty cases (行政处罚法 2021 unless noted) ------------------------------------------

_CF = "行政处罚法"
_SAMR = "市场监督管理行政处罚程序规定"

D1 = define(
    "D1 LIMITATION",
    "超过行政处罚追责时效的不予立案",
    f"{_CF} 第36条：违法行为在二年内未被发现的，不再给予行政处罚；涉及公民生命健康安全、"
    "金融安全且有危害后果的，上述期限延长至五年；违法行为有连续或者继续状态的，从行为终了之日起计算",
    "BLOCK",
    ("case.limitation_years", "case.limitation_years_grave"),
)
D2 = define(
    "D2 FILE-PROMPTLY",
    "发现线索后及时决定是否立案",
    f"{_CF} 第54条；{_SAMR} 第18条：自发现线索之日起15个工作日内决定是否立案，"
    "经批准可延长15个工作日，检测、检验、检疫、鉴定等时间不计入",
    "WARN",
    ("case.filing_working_days", "case.filing_extension_working_days"),
)
D3 = define(
    "D3 DECISION-90D",
    "自立案之日起九十日内作出处罚决定",
    f"{_CF} 第60条；{_SAMR}（经批准可延长30日；中止、听证、公告和检测等时间不计入）",
    "WARN",
    ("case.decision_days", "case.decision_warn_days", "case.decision_extension_days"),
)
D4 = define(
    "D4 NOTICE-FIRST",
    "作出处罚决定前告知并听取陈述申辩",
    f"{_CF} 第44条、第62条",
    "BLOCK",
    ("case.defence_working_days",),
)
D5 = define(
    "D5 NO-HEAVIER",
    "不得因当事人陈述申辩而给予更重的处罚",
    f"{_CF} 第45条（加重须重新告知）",
    "BLOCK",
)
D6 = define(
    "D6 HEARING-TRIGGER",
    "较重行政处罚应告知听证权利",
    f"{_CF} 第63条（较大数额由各地各领域规定）",
    "BLOCK",
    ("case.hearing_fine_thresholds", "case.hearing_kinds"),
    unconfirmed=True,
)
D7 = define(
    "D7 HEARING-REQUEST",
    "当事人在告知后五个工作日内提出听证",
    f"{_CF} 第64条第1项（2021年7月15日前为三日）",
    "BLOCK",
    ("case.hearing_request_working_days",),
)
D8 = define(
    "D8 HEARING-NOTICE",
    "听证七个工作日前通知当事人",
    f"{_CF} 第64条第2项",
    "BLOCK",
    ("case.hearing_notice_working_days",),
)
D9 = define(
    "D9 HEARING-CONDUCT",
    "听证主持人不得是本案调查人员",
    f"{_CF} 第64条第4项、第65条",
    "BLOCK",
)
D10 = define(
    "D10 LEGAL-REVIEW",
    "法制审核（初次从事法制审核的人员应取得法律职业资格）",
    f"{_CF} 第58条；{_16} 第13项：适用普通程序办理的行政执法案件应进行法制审核，"
    "初次从事行政处罚决定法制审核的人员应当取得法律职业资格",
    "BLOCK",
    ("case.legal_review_all_ordinary", "legal_review.min_staff_share"),
)
D11 = define(
    "D11 COLLECTIVE-DISCUSSION",
    "情节复杂或者重大违法行为给予较重处罚的，集体讨论决定",
    f"{_CF} 第57条（较重处罚的数额为本平台设定，可按地区配置）",
    "BLOCK",
    ("case.collective_fine_yuan", "case.collective_kinds"),
    unconfirmed=True,
)
D12 = define(
    "D12 DECISION-CONTENT",
    "处罚决定书载明法定事项并说明理由",
    f"{_CF} 第59条；{_16} 第17项：全面推行“说理式执法”，"
    "在决定书中全面告知内容、事实、理由、执法依据",
    "BLOCK",
)
D13 = define(
    "D13 SERVICE-7WD",
    "决定书当场交付或七个工作日内送达",
    f"{_CF} 第61条",
    "WARN",
    ("case.service_working_days",),
)
D14 = define(
    "D14 SIMPLE-PROCEDURE",
    "当场处罚限于警告或小额罚款",
    f"{_CF} 第51条、第52条（2021年7月15日前为五十元、一千元）",
    "BLOCK",
    ("case.simple_cap_person_yuan", "case.simple_cap_org_yuan"),
)
D15 = define(
    "D15 FINE-SEPARATION",
    "罚缴分离：作出决定的机关不自行收缴罚款",
    f"{_CF} 第67条至第71条",
    "BLOCK",
    ("case.payment_days", "case.onsite_collection_max_yuan"),
)
D16 = define(
    "D16 LATE-SURCHARGE",
    "逾期不缴纳罚款的加处罚款",
    f"{_CF} 第72条、第73条；行政强制法 第45条（加处罚款不超过罚款数额）",
    "WARN",
    ("case.late_surcharge_rate",),
)
D17 = define(
    "D17 NO-PENALTY",
    "符合不予处罚、可以不予处罚（首违不罚）等清单的，提示办案人员记录是否适用及理由",
    f"{_CF} 第32条、第33条；{_16} 第17项（不予处罚、可以不予处罚、减轻、从轻、从重清单）",
    "WARN",
)
D18 = define(
    "D18 MINOR",
    "未成年人：不满十四周岁不予处罚，已满十四周岁不满十八周岁从轻或者减轻",
    f"{_CF} 第30条（年龄按居民身份证号出生日期计算至违法行为发生之日）",
    "BLOCK",
)
D19 = define(
    "D19 DOUBLE-FINE",
    "同一违法行为不得给予两次以上罚款",
    f"{_CF} 第29条",
    "BLOCK",
)
D20 = define(
    "D20 PUBLICATION",
    "行政处罚决定依法公开；被变更、撤销的，三个工作日内撤回",
    f"{_CF} 第48条；国办发〔2018〕118号（七个工作日内公开）；"
    "市场监督管理行政处罚信息公示规定 第9条（二十个工作日内公示）",
    "WARN",
    ("case.publication_fields", "case.publication_withdraw_working_days"),
)

D24 = define(
    "D24 DISCRETION",
    "拟作出的罚款超出适用的行政处罚裁量基准幅度的，须书面说明理由",
    f"{_16} 第14项（现行基准与上级基准冲突的及时修改、废止；乡镇（街道）不得制定或细化量化基准）；"
    f"{_CF} 第34条",
    "WARN",
)

# --- F5: timeliness of penalty cases (the sweep, over the D clocks) --------------------------

F5_CASE_OVERDUE = define(
    "F5 CASE-OVERDUE",
    "行政处罚案件办理超期",
    f"{_CF} 第54条（及时立案）、第60条（九十日内作出决定）、第61条（七个工作日内送达）；"
    f"{_SAMR} 第18条（十五个工作日内决定是否立案）",
    "WARN",
    (
        "case.filing_working_days",
        "case.filing_extension_working_days",
        "case.decision_days",
        "case.decision_extension_days",
        "case.service_working_days",
        "case.publication_fields",
        "case.publication_withdraw_working_days",
    ),
)
# (annual statistics: reports/annual, raised by the sweep through Event.ANNUAL_STATS_DUE)
F5_STATS = define(
    "F5 STATS-PUBLICATION",
    "每年1月31日前公告上一年度行政执法数据",
    "国办发〔2018〕118号；衢政办发〔2025〕16号 第11项（经法制审核、负责人批准后公告，"
    "并报本级人民政府和上级主管部门）",
    "WARN",
    ("stats.publish_deadline",),
)

# --- F8: the supervisor's loop — rectification, case-file reviews, supervision documents ----

# (rectification: oversight/rectification)
F8_RECTIFICATION = define(
    "F8 RECTIFICATION",
    "整改事项按期整改、核实销号",
    "徐州市铜山区司法局规范涉企行政执法“四化”做法：对不具备立即整改条件的，制定整改计划，"
    "明确责任人和整改时间，对账销号；新乡市：案卷评查发现问题1235个、已整改1233个；"
    f"{_LUQIAO} 四(四)：即行整改、挂牌销号。整改期限为本平台设定（政策参数 "
    "rectification.working_days）",
    "WARN",
    ("rectification.working_days",),
    unconfirmed=True,
)

# (case-file reviews: oversight/reviews)

_TONGSHAN = "铜山区司法局（确定5-10月份逐月评查重点，抽查全区行政执法案卷60份，梳理、通报问题）"
_XINXIANG = "新乡市司法局（市县两级案卷评查1190件，发现问题1235个，已整改1233个）"
F8_REVIEW_SAMPLE = define(
    "F8 REVIEW-SAMPLE",
    "评查案卷随机抽取，抽取过程可验证",
    f"{_TONGSHAN}；{_XINXIANG}；抽取算法同双随机（国办发〔2015〕58号，本平台 wurao-dss-v1）",
    "WARN",
)
F8_REVIEW_SCORE = define(
    "F8 REVIEW-SCORE",
    "案卷评查按评查标准逐项评分：否决项不符合的为不合格，其余按分值扣分定等次",
    f"鲁司〔2023〕33号（基本标准、文书标准）；{_XINXIANG}；"
    "等次分数线为本平台设定（政策参数 review.grade_thresholds）",
    "WARN",
    ("review.grade_thresholds",),
    unconfirmed=True,
)
F8_REVIEW_PROBLEM = define(
    "F8 REVIEW-PROBLEM",
    "评查发现的问题交执法主体整改，由执法监督机构核实销号",
    f"{_TONGSHAN}（对账销号，下发执法监督意见书、建议书督促整改）；{_XINXIANG}",
    "WARN",
)

# (supervision documents: oversight/documents)
F8_DOCUMENT_REPLY = define(
    "F8 DOCUMENT-REPLY",
    "监督文书按期答复",
    "铜山区司法局：对不具备立即整改条件的，制定整改计划，明确责任人和整改时间，对账销号，"
    "下发执法监督意见书、建议书等方式督促整改；新乡市：向相关责任单位下发行政执法监督意见书302件。"
    "答复期限为本平台设定（政策参数 documents.reply_working_days）",
    "WARN",
    ("documents.reply_working_days",),
    unconfirmed=True,
)

# (monitors and observers: registry/monitors, inspections)
F8_OBSERVER = define(
    "F8 OBSERVER",
    "伴随式监督：本辖区在聘的执法监督员或执法监督机构随行检查",
    "新乡市司法局：对统计、税务、生态环境、市场监管等部门的入企检查进行全程“伴随式”监督，"
    f"选聘行政执法监督员93名；{_16} 第20项：健全行政执法监督员聘任、培训、履职、激励机制，"
    "发挥行政执法企业联系点作用。限于本辖区、聘期内、检查完成前加入为本平台设定",
    "BLOCK",
    unconfirmed=True,
)

# --- E: coercive measures (cases/coercion) ----------------------------------------------------
_QZ = "行政强制法"
E1 = define(
    "E1 NO-DELEGATION",
    "行政强制措施由法定行政机关实施，不得委托；由具备资格的行政执法人员实施",
    f"{_QZ} 第17条",
    "BLOCK",
)
E2 = define(
    "E2 PRIOR-APPROVAL",
    "实施前向行政机关负责人报告并经批准；情况紧急当场实施的，二十四小时内报告并补办批准手续，"
    "负责人认为不应当采取的，应当立即解除",
    f"{_QZ} 第18条第1项、第19条",
    "BLOCK",
    ("coercion.emergency_report_hours",),
)
E3 = define(
    "E3 TWO-OFFICERS",
    "由两名以上行政执法人员实施，出示执法身份证件，通知当事人到场，告知理由、依据和权利、"
    "救济途径，听取陈述申辩，制作现场笔录（当事人不到场的由见证人签名）",
    f"{_QZ} 第18条第2项至第10项",
    "BLOCK",
)
E4 = define(
    "E4 PROPERTY-SCOPE",
    "查封、扣押限于涉案财物，不得查封、扣押公民个人及其所扶养家属的生活必需品；"
    "已被其他国家机关依法查封的不得重复查封",
    f"{_QZ} 第23条",
    "BLOCK",
)
E5 = define(
    "E5 DECISION-AND-LIST",
    "制作并当场交付查封、扣押决定书和清单（当事人、理由依据、财物清单、期限、救济途径、印章、日期）",
    f"{_QZ} 第24条",
    "BLOCK",
)
E6 = define(
    "E6 SEIZURE-DURATION",
    "查封、扣押的期限不得超过三十日；情况复杂的经负责人批准可延长不超过三十日，"
    "延长决定应书面告知当事人；检测、检验、检疫、技术鉴定的期间不计入，但应书面告知当事人",
    f"{_QZ} 第25条",
    "BLOCK",
    ("coercion.seizure_days", "coercion.seizure_extension_days"),
)
E7 = define(
    "E7 SEIZURE-EXPIRY",
    "查封、扣押期限内查清事实并作出没收、销毁或解除的决定；期限届满未作出处理决定的应当立即解除",
    f"{_QZ} 第27条、第28条第1款第4项",
    "WARN",
    ("coercion.seizure_days", "coercion.seizure_extension_days"),
)
E8 = define(
    "E8 FREEZE",
    "冻结存款、汇款的，三日（工作日）内向当事人交付冻结决定书；自冻结之日起三十日内作出处理决定，"
    "情况复杂的经负责人批准可延长不超过三十日，期限届满未作出决定的应当解除冻结",
    f"{_QZ} 第31条、第32条、第69条（十日以内期限指工作日）",
    "BLOCK",
    (
        "coercion.freeze_notice_working_days",
        "coercion.freeze_days",
        "coercion.freeze_extension_days",
    ),
)
E9 = define(
    "E9 ENFORCEMENT",
    "强制执行前书面催告；不得在夜间或法定节假日实施（情况紧急的除外）；加处罚款超过三十日经催告"
    "仍不履行的方可强制执行；代履行三日（工作日）前催告当事人履行",
    f"{_QZ} 第35条、第37条、第43条、第45条、第46条、第51条、第69条。"
    "夜间的起止时刻为本平台设定（政策参数 coercion.night_from_hour、coercion.night_until_hour），"
    "法定节假日按国务院办公厅节假日安排中的非工作日掌握",
    "BLOCK",
    (
        "coercion.surcharge_reminder_days",
        "coercion.substitute_notice_working_days",
        "coercion.night_from_hour",
        "coercion.night_until_hour",
    ),
    unconfirmed=True,
)
E10 = define(
    "E10 COURT-APPLICATION",
    "没有强制执行权的行政机关自复议、诉讼期限届满之日起三个月内申请人民法院强制执行；"
    "申请前催告，催告书送达十日（工作日）后当事人仍未履行的方可申请",
    f"{_QZ} 第53条、第54条、第69条",
    "BLOCK",
    ("coercion.court_window_months", "coercion.court_after_reminder_working_days"),
)

# --- major-decision filing (oversight/filings) ----------------------------------------------

D25 = define(
    "D25 MAJOR-CASE-FILING",
    "重大执法决定按期向执法监督机构备案",
    f"{_16} 第22项：对罚款数额高、吊销许可证件、责令停产停业、查封扣押等涉企行政执法案件进行"
    "网上备案，政府行政执法监督机构分层级做好备案统筹指导、全程监测；新乡市司法局：严格重大"
    "行政处罚备案审查。“罚款数额高”按较大数额（政策参数 case.hearing_fine_thresholds），"
    "备案期限为本平台设定（政策参数 filing.working_days）",
    "WARN",
    ("case.hearing_fine_thresholds", "filing.kinds", "filing.coercion", "filing.working_days"),
    unconfirmed=True,
)

# --- fine revenue (oversight/fines, oversight/rules_fines.py) ---------------------------------

F1_FINE_GROWTH = define(
    "F1 FINE-GROWTH",
    "罚没收入同比异常上升",
    f"{_16} 第16项（罚没收入同比异常上升）；第15项、第16项（不得下达罚没指标、罚缴分离）；"
    "全国规范涉企行政执法专项行动预警值（二手来源）。上年同期最低金额为本平台设定",
    "WARN",
    ("oversight.fine_growth_warn", "oversight.fine_growth_min_yuan"),
    unconfirmed=True,
)
F2_MAX_PENALTY = define(
    "F2 MAX-PENALTY",
    "顶格罚款占比过高",
    f"{_CF} 第5条（过罚相当）、第34条（裁量基准）；{_16} 第14项（裁量基准）、"
    "第15项和第16项（不得下达罚没指标）；监督指标：顶格处罚占比。预警值为本平台设定",
    "WARN",
    ("oversight.max_penalty_share_warn", "oversight.fine_pattern_min_cases"),
    unconfirmed=True,
)
F2_SAME_AMOUNT = define(
    "F2 SAME-AMOUNT",
    "罚款金额异常集中于同一数额",
    f"{_CF} 第5条（过罚相当）；{_16} 第15项、第16项（不得下达罚没指标）。预警值为本平台设定",
    "WARN",
    ("oversight.same_amount_share_warn", "oversight.fine_pattern_min_cases"),
    unconfirmed=True,
)
F2_MONTH_END = define(
    "F2 MONTH-END",
    "罚款决定异常集中于月末",
    f"{_16} 第15项、第16项（不得下达罚没指标，罚没收入同比异常上升）。月末天数和预警倍数为"
    "本平台设定",
    "WARN",
    (
        "oversight.month_end_days",
        "oversight.month_end_ratio_warn",
        "oversight.fine_pattern_min_cases",
    ),
    unconfirmed=True,
)
