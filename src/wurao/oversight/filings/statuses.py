"""A major-decision filing's statuses, kinds and lifecycle, each with its Chinese label.

Why the supervisor decides: 衢州 item 22 has the 政府行政执法监督机构 "全程监测" the filings and
新乡 "重大行政处罚备案审查" — a filing is done when the supervisor has reviewed it, not when the
subject has sent it; a returned filing carries the supervisor's 监督意见 and is filed again.
"""

from __future__ import annotations

from wurao.core.lifecycle import LabelledEnum, Lifecycle, step


class FilingStatus(LabelledEnum):
    """Where a filing stands."""

    DUE = ("due", "待报备")
    FILED = ("filed", "待审查")
    RETURNED = ("returned", "已退回")
    REFILED = ("refiled", "重新报备待审查")
    ACCEPTED = ("accepted", "审查通过")


class FilingKind(LabelledEnum):
    """What decision is filed."""

    PENALTY = ("penalty", "行政处罚决定")
    COERCION = ("coercion", "行政强制措施")


S = FilingStatus
WAITING_REVIEW = frozenset({S.FILED, S.REFILED})

FILING_LIFECYCLE = Lifecycle(
    "重大执法决定备案",
    FilingStatus,
    {
        "file": step(S.DUE, S.FILED, "报备"),
        "refile": step(S.RETURNED, S.REFILED, "重新报备"),
        "accept": step(WAITING_REVIEW, S.ACCEPTED, "审查通过"),
        "return": step(WAITING_REVIEW, S.RETURNED, "退回"),
    },
)

ACTION_LABELS: dict[str, str] = {
    "open": "生成备案",
    "file": "报备",
    "refile": "重新报备",
    "accept": "审查通过",
    "return": "退回（监督意见）",
}
