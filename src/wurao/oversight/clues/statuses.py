"""A clue's channels, statuses and lifecycle, each with its Chinese label.

Why the supervisor alone closes: the seeds' loop (铜山 "点对点督促整改", 新乡 发现/整改 totals)
counts a problem as solved only when the 执法监督机构 has checked the answer, so a subject's
answer moves a clue to 待核实 and never to 已办结 (core/lifecycle.py guards every move).
"""

from __future__ import annotations

from wurao.core.lifecycle import LabelledEnum, Lifecycle, step


class ClueSource(LabelledEnum):
    """Where a clue came in (the channel)."""

    CODELESS_REPORT = ("codeless_report", "无码检查举报")
    EVALUATION = ("evaluation", "企业评价")
    HOTLINE_12345 = ("hotline_12345", "12345热线")
    HOTLINE_12348 = ("hotline_12348", "12348热线")
    COURT = ("court", "司法建议")
    PROCURATORATE = ("procuratorate", "行政检察")
    PETITION = ("petition", "信访")
    MEDIA = ("media", "媒体")
    VISIT = ("visit", "司法所走访")
    API = ("api", "外部系统接入")
    HOTLINE = ("hotline", "热线（旧）")  # rows written before the channels were split
    REFERRAL = ("referral", "移送")


HOTLINES = (ClueSource.HOTLINE_12345, ClueSource.HOTLINE_12348)
"""Channels imported from work-order exports."""
MANUAL = (
    ClueSource.COURT,
    ClueSource.PROCURATORATE,
    ClueSource.PETITION,
    ClueSource.MEDIA,
    ClueSource.VISIT,
)
"""Channels a clerk types in by hand."""


class ClueStatus(LabelledEnum):
    """Where a clue stands."""

    NEW = ("new", "待处理")
    HANDLING = ("handling", "处理中")  # the supervisor works it itself
    ROUTED = ("routed", "已交办")
    ANSWERED = ("answered", "待核实")
    CLOSED = ("closed", "已办结")


S = ClueStatus
OPEN = frozenset({S.NEW, S.HANDLING, S.ROUTED, S.ANSWERED})

CLUE_LIFECYCLE = Lifecycle(
    "线索",
    ClueStatus,
    {
        "handle": step((S.NEW, S.HANDLING), S.HANDLING, "登记处理情况"),
        "classify": step(OPEN, None, "分类和关联"),
        "route": step((S.NEW, S.HANDLING), S.ROUTED, "交办"),
        "supervise": step(S.ROUTED, None, "督办"),
        "answer": step(S.ROUTED, S.ANSWERED, "答复"),
        "accept": step(S.ANSWERED, S.CLOSED, "核实办结"),
        "return": step(S.ANSWERED, S.ROUTED, "退回重办"),
        "close": step((S.NEW, S.HANDLING), S.CLOSED, "直接办结"),
        "follow_up": step((S.HANDLING, S.ROUTED, S.ANSWERED, S.CLOSED), None, "登记回访"),
    },
)

ACTION_LABELS: dict[str, str] = {
    "receive": "收到线索",
    "merge": "合并重复工单",
    "handle": "登记处理情况",
    "classify": "分类和关联",
    "route": "交办",
    "supervise": "督办",
    "answer": "执法主体答复",
    "accept": "核实办结",
    "return": "退回重办",
    "close": "直接办结",
    "follow_up": "回访",
}
"""The Chinese name of each step in a clue's history."""
