"""Where a subject's annual statistics stand, and the steps between (衢州 item 11: what is
published passes 法制审核 and the head's approval)."""

from __future__ import annotations

from wurao.core.lifecycle import LabelledEnum, Lifecycle, step


class AnnualStatus(LabelledEnum):
    """草稿 → 法制审核中 → 待负责人批准 → 已公布 (a returned review goes back to the draft)."""

    DRAFT = ("draft", "草稿")
    REVIEW = ("review", "法制审核中")
    REVIEWED = ("reviewed", "待负责人批准")
    PUBLISHED = ("published", "已公布")


S = AnnualStatus
ANNUAL_LIFECYCLE = Lifecycle(
    "年度行政执法数据",
    AnnualStatus,
    {
        "generate": step(S.DRAFT, None, "重新生成"),
        "manual": step(S.DRAFT, None, "填报补充数据"),
        "submit": step(S.DRAFT, S.REVIEW, "提交法制审核"),
        "review_pass": step(S.REVIEW, S.REVIEWED, "法制审核通过"),
        "review_return": step(S.REVIEW, S.DRAFT, "法制审核退回"),
        "approve": step(S.REVIEWED, S.PUBLISHED, "负责人批准并公布"),
    },
)
