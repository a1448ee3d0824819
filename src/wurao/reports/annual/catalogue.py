"""The figures of the annual statistics, declared once: key, Chinese label, the national
template's category, unit and whether the platform computes it or the subject enters it.

The counting rules are in docs/indicators.md ("Annual statistics"); the pages, the .xlsx/.docx,
the recompute command and the tests all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wurao.inspections.precheck import ORIGINS
from wurao.registry.items.methods import METHODS

# the national template's categories (国办发〔2018〕118号 年度行政执法数据), and this platform's
# outcome indicators (#16)
LICENSING = "行政许可"
PENALTY = "行政处罚"
COERCION = "行政强制"
INSPECTION = "行政检查"
EXPROPRIATION = "行政征收征用"
OTHER = "其他"
OUTCOME = "成效指标"
CATEGORIES = (LICENSING, PENALTY, COERCION, INSPECTION, EXPROPRIATION, OTHER, OUTCOME)

COUNT, YUAN, RATE, SCORE = "次", "元", "%", "分"


@dataclass(frozen=True)
class Figure:
    """One figure of the annual data."""

    key: str
    label: str
    category: str
    unit: str = COUNT
    manual: bool = False  # entered by the subject with a reason (the platform cannot know it)
    derived: bool = False  # computed from manual figures at display time

    def show(self, value: Any) -> str:
        """The value as a page shows it: rates as percentages, fen as yuan."""
        if value is None:
            return "—"
        if self.unit == RATE:
            return f"{float(value) * 100:.2f}%"
        if self.unit == YUAN:
            return f"{int(value) / 100:,.2f}"
        if self.unit == SCORE:
            return f"{float(value):.2f}"
        return str(value)


def _f(key: str, label: str, category: str, unit: str = COUNT, **kw: bool) -> Figure:
    return Figure(key, label, category, unit, **kw)


FIGURES: tuple[Figure, ...] = (
    _f("licensing_applications", "受理行政许可申请", LICENSING, manual=True),
    _f("licensing_granted", "准予行政许可", LICENSING, manual=True),
    _f("licensing_refused", "不予行政许可", LICENSING, manual=True),
    _f("cases_filed", "行政处罚立案", PENALTY),
    _f("cases_penalty", "作出行政处罚决定", PENALTY),
    _f("cases_no_penalty", "作出不予行政处罚决定", PENALTY),
    _f("cases_simple", "其中：简易程序（当场处罚）", PENALTY),
    _f("cases_closed", "行政处罚结案", PENALTY),
    _f("fine_fen", "罚款金额（元）", PENALTY, YUAN),
    _f("confiscation_fen", "没收违法所得金额（元）", PENALTY, YUAN),
    _f("paid_fen", "当年缴纳罚款（元）", PENALTY, YUAN),
    _f("coercion_total", "实施行政强制措施", COERCION),
    _f("coercion_seizure", "其中：查封", COERCION),
    _f("coercion_detention", "其中：扣押", COERCION),
    _f("coercion_freeze", "其中：冻结", COERCION),
    _f("inspections", "行政检查次数", INSPECTION),
    *(_f(f"method_{k}", f"其中：{v}", INSPECTION) for k, v in METHODS.items()),
    *(_f(f"origin_{k}", f"来源：{v}", INSPECTION) for k, v in ORIGINS.items()),
    _f("joint", "联合检查次数", INSPECTION),
    _f("joint_rate", "联合检查率", INSPECTION, RATE),
    _f("nonsite", "非现场检查次数", INSPECTION),
    _f("nonsite_share", "非现场检查占比", INSPECTION, RATE),
    _f("problem", "发现问题次数", INSPECTION),
    _f("problem_rate", "问题发现率", INSPECTION, RATE),
    _f("expropriation", "行政征收征用", EXPROPRIATION, manual=True),
    _f("other_acts", "其他行政执法行为", OTHER, manual=True),
    _f("filings_due", "重大执法决定应备案", OTHER),
    _f("filings_filed", "重大执法决定已报备", OTHER),
    _f("clues_received", "收到监督线索", OTHER),
    _f("clues_closed", "办结监督线索", OTHER),
    _f("reviews_scored", "案卷评查（已评分案卷）", OTHER),
    _f("reviews_score_mean", "案卷评查平均分", OTHER, SCORE),
    _f("rect_due", "整改事项（整改期限在本年）", OTHER),
    _f("rect_on_time", "按期整改并销号", OTHER),
    _f("reconsideration_total", "被申请行政复议", OTHER, manual=True),
    _f("reconsideration_corrected", "被复议纠错（撤销、变更、确认违法等）", OTHER, manual=True),
    _f("litigation_total", "行政诉讼案件（已审结）", OTHER, manual=True),
    _f("litigation_lost", "行政诉讼败诉", OTHER, manual=True),
    _f("random_share", "双随机抽查占常规检查比例", OUTCOME, RATE),
    _f("problem_enterprises", "发现问题的企业", OUTCOME),
    _f("reoffence_enterprises", "12个月内再次发现问题的企业", OUTCOME),
    _f("reoffence_rate", "再犯率", OUTCOME, RATE),
    _f("rect_on_time_rate", "整改按期完成率", OUTCOME, RATE),
    _f("evaluations", "企业评价数", OUTCOME),
    _f("evaluation_mean", "企业评价平均分", OUTCOME, SCORE),
    _f("satisfaction_rate", "企业满意率", OUTCOME, RATE),
    _f("items_never_used", "全年未使用的检查事项", OUTCOME),
    _f("reconsideration_correction_rate", "行政复议纠错率", OUTCOME, RATE, derived=True),
    _f("litigation_loss_rate", "行政诉讼败诉率", OUTCOME, RATE, derived=True),
)  # fmt: skip

BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}
MANUAL_KEYS = tuple(f.key for f in FIGURES if f.manual)
# derived rate → (numerator, denominator) among the manual figures
DERIVED = {
    "reconsideration_correction_rate": ("reconsideration_corrected", "reconsideration_total"),
    "litigation_loss_rate": ("litigation_lost", "litigation_total"),
}


def rate(numerator: int, denominator: int) -> float:
    """A share rounded to four decimals (0 when the denominator is 0), stable in JSON."""
    return round(numerator / denominator, 4) if denominator else 0.0


def derived(manual: dict[str, int]) -> dict[str, float | None]:
    """The rates computed from manual figures (None until both are entered)."""
    out: dict[str, float | None] = {}
    for key, (num, den) in DERIVED.items():
        out[key] = rate(manual[num], manual[den]) if num in manual and den in manual else None
    return out


def by_category(values: dict[str, Any]) -> list[tuple[str, list[tuple[Figure, Any]]]]:
    """The figures grouped by category in the template's order, with their values."""
    return [(c, [(f, values.get(f.key)) for f in FIGURES if f.category == c]) for c in CATEGORIES]
