"""A review plan's statuses and lifecycle, a file's status, the kinds of file and the grades.

Why a lifecycle: a plan is drawn once (a second draw would let the supervisor pick another
sample), reviewers are assigned only to a drawn sample, and a plan is finished only when every
drawn file has its final score (core/lifecycle.py guards every move).
"""

from __future__ import annotations

from wurao.core.lifecycle import LabelledEnum, Lifecycle, step


class FileKind(LabelledEnum):
    """What a plan reviews."""

    INSPECTION = ("inspection", "行政检查案卷")
    CASE = ("case", "行政处罚案卷")


class PlanStatus(LabelledEnum):
    """Where a review plan stands."""

    DRAFT = ("draft", "草稿")
    DRAWN = ("drawn", "已抽取")
    IN_REVIEW = ("in_review", "评查中")
    FINISHED = ("finished", "已完成")


S = PlanStatus

PLAN_LIFECYCLE = Lifecycle(
    "评查方案",
    PlanStatus,
    {
        "edit": step(S.DRAFT, None, "修改"),
        "draw": step(S.DRAFT, S.DRAWN, "抽取案卷"),
        "assign": step((S.DRAWN, S.IN_REVIEW), S.IN_REVIEW, "分配评查人员"),
        "score": step(S.IN_REVIEW, None, "评分"),
        "finish": step(S.IN_REVIEW, S.FINISHED, "完成评查"),
    },
)


class FileStatus(LabelledEnum):
    """Where one drawn file stands."""

    PENDING = ("pending", "待评查")
    SCORED = ("scored", "已评分")


class Grade(LabelledEnum):
    """A file's grade (thresholds: policy review.grade_thresholds)."""

    EXCELLENT = ("excellent", "优秀")
    QUALIFIED = ("qualified", "合格")
    UNQUALIFIED = ("unqualified", "不合格")


class Result(LabelledEnum):
    """An item's result: the automatic suggestion or the reviewer's."""

    PASS = ("pass", "符合")
    FAIL = ("fail", "不符合")
    UNKNOWN = ("unknown", "无法自动判断")
