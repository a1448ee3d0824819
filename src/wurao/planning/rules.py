"""The planning domain's rules, from the catalogue (``wurao.core.rules``): plan approval and
filing (PLAN-APPROVAL, C5), special inspections (A7), unplanned approvals (A4), the group of
officers (B1) and joint inspections (A6); and the A7 check of the approving organ.
"""

from __future__ import annotations

from wurao.core import rules as catalogue
from wurao.core.errors import Violation

PLAN_APPROVAL = catalogue.PLAN_APPROVAL
PLAN_FILING = catalogue.C5
SPECIAL_PLAN = catalogue.A7
SPECIAL_QUOTA = catalogue.A7
UNPLANNED = catalogue.A4
TWO_OFFICERS = catalogue.B1
JOINT = catalogue.A6

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
