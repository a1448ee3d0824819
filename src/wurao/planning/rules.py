"""Named planning rules (docs/rules.md A4, A6, A7, C5 and the 路桥 plan-filing rule)."""

from __future__ import annotations

from dataclasses import dataclass

from wurao.core.errors import Violation


@dataclass(frozen=True)
class Rule:
    """A rule as docs/rules.md names it: id, Chinese title, source and severity."""

    rule_id: str
    title: str
    source: str
    severity: str = "BLOCK"

    def violation(self, detail: str, **evidence: object) -> Violation:
        """A failure of this rule with its evidence."""
        return Violation(
            rule_id=self.rule_id,
            title=self.title,
            source=self.source,
            detail=detail,
            severity=self.severity,
            evidence=dict(evidence),
        )


PLAN_APPROVAL = Rule(
    "PLAN-APPROVAL",
    "年度检查计划经负责人批准后公布",
    "衢政办发〔2025〕16号 第4项：经本单位负责人批准后向社会公布",
)
PLAN_FILING = Rule(
    "C5 DSS-PLAN-FILING",
    "年度检查计划报备",
    "路桥方案 三(二)1：各执法单位将年度执法计划报送备案；国办发〔2019〕5号",
    "WARN",
)
SPECIAL_PLAN = Rule(
    "A7 INSP-SPECIAL-PLAN",
    "专项检查须经法制审核、集体讨论和政府批准",
    "国办发〔2024〕54号 §六；衢政办发〔2025〕16号 第6项",
)
SPECIAL_QUOTA = Rule(
    "A7 INSP-SPECIAL-PLAN",
    "专项检查年度数量控制",
    "国办发〔2024〕54号 §六；衢政办发〔2025〕16号 第6项：专项检查要实行年度数量控制",
)
UNPLANNED = Rule(
    "A4 INSP-APPROVAL",
    "计划外检查须经负责人批准并报备",
    "路桥方案 三(二)1：除重点监管领域及上级任务外，原则上不得开展计划外检查",
)
TWO_OFFICERS = Rule(
    "B1 TWO-OFFICERS",
    "执法人员不少于两人",
    "行政处罚法 第42条；行政强制法 第18条",
)
JOINT = Rule(
    "A6 INSP-MERGE-JOINT-OFFSITE",
    "能联合不得多头检查（综合查一次）",
    "国办发〔2024〕54号 §四；衢政办发〔2025〕16号 第5项",
    "WARN",
)

# 县级以上人民政府: a township government or a street office does not qualify (54号 §六).
_BELOW_COUNTY = ("乡人民政府", "镇人民政府", "街道办事处")


def approval_organ_problems(organ: str, *, vertical: bool, subject_name: str) -> list[Violation]:
    """Why ``organ`` cannot approve a special inspection of the subject (A7); empty if it can."""
    organ = organ.strip()
    if not organ:
        return [SPECIAL_PLAN.violation("请写明批准机关。")]
    if organ == subject_name:
        return [SPECIAL_PLAN.violation("专项检查不能由本机关自行批准。", organ=organ)]
    if vertical:
        return []
    if "人民政府" not in organ or organ.endswith(_BELOW_COUNTY):
        return [
            SPECIAL_PLAN.violation(
                f"“{organ}”不是县级以上人民政府；非垂直管理机关的专项检查须报县级以上政府批准。",
                organ=organ,
            )
        ]
    return []
