"""What the demo's penalty cases are about: the violations (facts, provisions, reasons) and the
list of cases — which subject, which violation, how long ago the lead was found and how far
the case has gone. ``demo.cases`` drives each one through the case services.

The cases belong to 柯城区 so that its supervisor persona sees them: most to the persona
subject 柯城区市场监督管理局 (its 法制审核 persona reviews them), a few to 柯城区应急管理局 and,
opened from the history's 移送立案 inspection records, to the city subjects of 柯城区.
"""

from __future__ import annotations

from dataclasses import dataclass

# Where a case stops. The names are this module's, not the case statuses: "stale" is a
# case left in 调查取证 past its 90 days, "unserved" a decision not served within 7 working
# days, "unpaid" a served decision whose 15 days to pay have passed.
STOPS = (
    "lead", "not_filed", "investigating", "stale", "notified", "hearing", "review", "reviewed",
    "unserved", "unpaid", "closed", "no_penalty", "withdrawn", "spot",
)  # fmt: skip

REMEDY = (
    "如不服本决定，可以在收到本决定书之日起六十日内向衢州市柯城区人民政府申请行政复议，"
    "或者在六个月内依法向衢州市柯城区人民法院提起行政诉讼。"
)
FIRST_OFFENCE = (
    "当事人系首次违法，违法行为轻微并已在责令改正期限内及时改正，没有造成危害后果，"
    "符合《中华人民共和国行政处罚法》第三十三条第一款“初次违法且危害后果轻微并及时改正的，"
    "可以不予行政处罚”及浙江省{field}领域轻微违法行为不予行政处罚清单（首违不罚）的规定，"
    "决定不予行政处罚，并对当事人进行了批评教育。"
)


@dataclass(frozen=True)
class Violation:
    """One kind of violation as a case records it ({party}, {n}, {value} filled in)."""

    facts: str
    breached: str
    applied: str
    reasons: str
    evidence: tuple[str, ...]
    industries: tuple[str, ...] = ()  # GB/T 4754 prefixes of the parties it is found at


VIOLATIONS: dict[str, Violation] = {
    "cable": Violation(
        "{party}于经营场所销售的“旭达”牌BV2.5mm²电线经浙江省产品质量监督抽查，导体电阻项目"
        "不合格，涉案产品共{n}卷，货值金额{value}元。",
        "《中华人民共和国产品质量法》第十三条第二款、第三十九条",
        "《中华人民共和国产品质量法》第四十九条",
        "当事人销售不符合保障人身、财产安全国家标准的电线，事实清楚，有抽样检验报告、进货单据"
        "和询问笔录为证。当事人如实陈述违法事实并主动召回已售产品，依照《浙江省市场监督管理"
        "行政处罚裁量基准》，在货值金额等值以上三倍以下的法定幅度内从轻处罚。",
        ("抽样检验报告", "进货单据及销售台账", "现场检查笔录及照片"),
        ("F51", "F52", "C38"),
    ),
    "expired": Violation(
        "{party}经营的超市货架上陈列销售超过保质期的预包装食品（饼干、乳制品等）共{n}件，"
        "货值金额{value}元。",
        "《中华人民共和国食品安全法》第三十四条第十项",
        "《中华人民共和国食品安全法》第一百二十四条第一款第五项",
        "当事人经营超过保质期的食品，危及消费者身体健康，违法事实清楚，证据确凿。涉案食品货值"
        "金额不足一万元，依法应并处五万元以上十万元以下罚款；综合考虑当事人此前已因同类问题"
        "被责令改正，依照裁量基准处以本罚款。",
        ("现场检查笔录", "涉案食品照片及清单", "询问笔录"),
        ("F52", "F51", "H62"),
    ),
    "storage": Violation(
        "{party}冷库中贮存的冷冻肉品未按标签标示的温度贮存，冷库实测温度为-5℃；经责令改正后，"
        "{n}日后复查仍未改正。",
        "《中华人民共和国食品安全法》第五十四条第一款",
        "《中华人民共和国食品安全法》第一百三十二条",
        "当事人未按要求贮存食品，经责令改正拒不改正，违法事实有两次现场检查笔录、温度记录和"
        "责令改正通知书为证，依法处一万元以上五万元以下罚款，按裁量基准一般情节处罚。",
        ("现场检查笔录（两次）", "冷库温度记录", "责令改正通知书"),
        ("C13", "C14", "H62"),
    ),
    "price": Violation(
        "{party}经营场所销售的商品未按规定明码标价，共{n}种商品未标明价格。",
        "《中华人民共和国价格法》第十三条第一款；《明码标价和禁止价格欺诈规定》第五条",
        "《价格违法行为行政处罚规定》第十三条",
        "当事人销售商品不标明价格，违反明码标价规定，事实清楚，有现场检查笔录和照片为证，"
        "依法责令改正，并处五千元以下罚款。",
        ("现场检查笔录", "现场照片"),
        ("F52", "F51", "H61", "H62"),
    ),
    "warning_label": Violation(
        "{party}销售的“家悦”牌电热水壶无中文警示说明，涉案产品{n}台，货值金额{value}元。",
        "《中华人民共和国产品质量法》第二十七条第一款第五项",
        "《中华人民共和国产品质量法》第五十四条",
        "当事人销售的产品无中文警示说明，可能危及人身安全，情节严重，依法责令改正，"
        "并处违法销售产品货值金额百分之三十以下的罚款。",
        ("现场检查笔录", "涉案产品照片", "进货单据"),
        ("F51", "F52", "C38"),
    ),
    "forklift": Violation(
        "{party}使用的一台叉车（设备代码4110330802{n:06d}）超过定期检验有效期未申请检验，"
        "仍在厂区投入使用。",
        "《中华人民共和国特种设备安全法》第四十条第三款",
        "《中华人民共和国特种设备安全法》第八十四条第一项",
        "当事人使用未经定期检验的特种设备，存在安全隐患，事实清楚，有现场检查笔录、特种设备"
        "使用登记证和检验记录为证，依法责令停止使用，处三万元以上三十万元以下罚款；当事人"
        "已停止使用并申请检验，按法定最低额处罚。",
        ("现场检查笔录", "特种设备使用登记证", "定期检验记录查询结果"),
        ("C33", "C34"),
    ),
    "training": Violation(
        "{party}未按规定对新入职的{n}名从业人员进行安全生产教育和培训，即安排其上岗作业。",
        "《中华人民共和国安全生产法》第二十八条第一款",
        "《中华人民共和国安全生产法》第九十七条第三项",
        "当事人未对从业人员进行安全生产教育和培训，违法事实有培训档案和询问笔录为证，"
        "依法责令限期改正，处十万元以下罚款。",
        ("现场检查笔录", "从业人员培训档案", "询问笔录"),
        ("C26", "C29", "C33"),
    ),
    "sign": Violation(
        "{party}在有较大危险因素的喷漆作业场所未设置明显的安全警示标志。",
        "《中华人民共和国安全生产法》第三十五条",
        "《中华人民共和国安全生产法》第九十九条第一项",
        "当事人未在有较大危险因素的作业场所设置明显的安全警示标志，事实清楚，依法当场处罚。",
        ("现场检查照片",),
        ("C33", "C34", "C36"),
    ),
    "stall": Violation(
        "{party}在柯城区菜市场外流动摆摊销售水果，{n}种水果均未标明价格。",
        "《中华人民共和国价格法》第十三条第一款",
        "《价格违法行为行政处罚规定》第十三条",
        "当事人销售商品不标明价格，事实清楚，当场责令改正，依法当场处罚。",
        ("现场照片",),
        (),
    ),
}


@dataclass(frozen=True)
class Plan:
    """One demo case: its subject (persona key or "record"), violation, when the lead was
    found (days before today), where it stops, and the penalty."""

    subject: str  # "scjg" 柯城区市场监管局, "yjj" 柯城区应急管理局, "record" from a record
    violation: str  # a VIOLATIONS key ("" for a record: the record's own finding)
    found_ago: int
    stop: str
    fine_yuan: int = 0
    origin: str = "own"  # own / referral / record
    party: str = "enterprise"  # enterprise / person / persona (the enterprise persona)
    hearing: bool = False  # the party asks for a hearing (the fine reaches 较大数额)
    suspend: bool = False  # a testing suspension during the investigation
    extend: bool = False  # an approved D3 extension
    late_payment: bool = False  # paid after the 15 days, with the D16 surcharge


PLANS: tuple[Plan, ...] = (
    Plan("scjg", "cable", 300, "closed", 30_000),
    Plan("scjg", "expired", 250, "closed", 50_000),  # hearing rights given, not asked for
    Plan("scjg", "expired", 200, "closed", 100_000, hearing=True, suspend=True),
    Plan("scjg", "stall", 185, "spot", 100, party="person"),
    Plan("scjg", "price", 170, "closed", 3_000, late_payment=True),
    Plan("scjg", "price", 150, "no_penalty"),
    Plan("yjj", "sign", 140, "spot", 2_000),
    Plan("scjg", "cable", 135, "stale", extend=True, origin="referral"),
    Plan("scjg", "forklift", 120, "closed", 30_000, party="persona"),
    Plan("scjg", "warning_label", 110, "withdrawn"),
    Plan("scjg", "cable", 108, "stale", suspend=True),
    Plan("scjg", "price", 100, "not_filed", origin="referral"),
    Plan("scjg", "warning_label", 92, "unpaid", 1_200),
    Plan("scjg", "price", 85, "unpaid", 2_000),
    Plan("scjg", "price", 80, "spot", 1_000),
    Plan("scjg", "price", 72, "no_penalty"),
    Plan("scjg", "storage", 68, "unserved", 10_000),
    Plan("scjg", "expired", 64, "review", 60_000, hearing=True),
    Plan("yjj", "training", 60, "lead", origin="referral"),
    Plan("scjg", "storage", 52, "reviewed", 12_000),
    Plan("scjg", "warning_label", 49, "review", 1_500),
    Plan("scjg", "cable", 46, "review", 20_000),
    Plan("scjg", "expired", 43, "hearing", 80_000, hearing=True),
    Plan("scjg", "price", 40, "lead", origin="referral"),
    Plan("scjg", "storage", 36, "notified", 15_000),
    Plan("yjj", "training", 30, "investigating"),
    Plan("scjg", "cable", 20, "investigating"),
    Plan("scjg", "price", 4, "lead"),
    # from the history's 移送立案 records (the record's date is the day found)
    Plan("record", "", 200, "no_penalty", origin="record"),
    Plan("record", "", 150, "stale", origin="record"),
    Plan("record", "", 60, "lead", origin="record"),
    Plan("record", "", 40, "investigating", origin="record"),
    Plan("record", "", 25, "not_filed", origin="record"),
)
