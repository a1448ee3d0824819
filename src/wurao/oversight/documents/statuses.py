"""The kinds of supervision document and a document's lifecycle, each with its Chinese label.

Why the supervisor closes: as with clues, a subject's reply is checked by the 执法监督机构
before the matter counts as dealt with (铜山 "对账销号"), so a reply moves a document to
已答复 and only the supervisor's acknowledgement to 已办结.
"""

from __future__ import annotations

from wurao.core.lifecycle import LabelledEnum, Lifecycle, step


class DocumentKind(LabelledEnum):
    """The documents a supervisor issues here (the 风险提示函 stays in oversight/notices.py)."""

    OPINION = ("opinion", "行政执法监督意见书")
    SUGGESTION = ("suggestion", "行政执法监督建议书")
    SUPERVISE = ("supervise", "督办通知")
    REVIEW_REPORT = ("review_report", "案卷评查通报")


# The 字 of each kind's number: 柯司监意〔2026〕3号.
WORDS: dict[DocumentKind, str] = {
    DocumentKind.OPINION: "监意",
    DocumentKind.SUGGESTION: "监建",
    DocumentKind.SUPERVISE: "督办",
    DocumentKind.REVIEW_REPORT: "评通",
}


class DocumentStatus(LabelledEnum):
    """Where a document stands."""

    SENT = ("sent", "待答复")
    REPLIED = ("replied", "已答复")
    CLOSED = ("closed", "已办结")


D = DocumentStatus
DOCUMENT_LIFECYCLE = Lifecycle(
    "监督文书",
    DocumentStatus,
    {
        "reply": step(D.SENT, D.REPLIED, "答复"),
        "close": step((D.SENT, D.REPLIED), D.CLOSED, "办结"),
    },
)


class SourceKind(LabelledEnum):
    """What a document may be drawn from (its ``sources`` list)."""

    CLUE = ("clue", "监督线索")
    ALERT = ("alert", "监督预警")
    REVIEW = ("review", "案卷评查")
    RECTIFICATION = ("rectification", "整改事项")
