"""A rectification item's statuses, sources and lifecycle, each with its Chinese label.

Why only the supervisor closes: 新乡 counts a problem as 整改 only when the 执法监督机构 has
checked it (1 235 found, 1 233 rectified), and 铜山 "点对点督促整改" — so the subject's answer
moves an item to 待核实 and the supervisor's acceptance (销号) or return decides.
"""

from __future__ import annotations

from wurao.core.lifecycle import LabelledEnum, Lifecycle, step


class RectStatus(LabelledEnum):
    """Where an item stands."""

    OPEN = ("open", "待整改")
    ANSWERED = ("answered", "待核实")
    ACCEPTED = ("accepted", "已销号")
    WITHDRAWN = ("withdrawn", "已撤销")  # its source was dismissed (e.g. an alert 核销)


class SourceKind(LabelledEnum):
    """What raised the item."""

    ALERT = ("alert", "监督预警")
    REVIEW = ("review", "案卷评查")
    CLUE = ("clue", "监督线索")
    DOCUMENT = ("document", "监督文书")


S = RectStatus
OPEN_STATES = frozenset({S.OPEN, S.ANSWERED})

RECT_LIFECYCLE = Lifecycle(
    "整改事项",
    RectStatus,
    {
        "answer": step(S.OPEN, S.ANSWERED, "答复整改情况"),
        "accept": step(S.ANSWERED, S.ACCEPTED, "核实销号"),
        "return": step(S.ANSWERED, S.OPEN, "退回重新整改"),
        "withdraw": step(OPEN_STATES, S.WITHDRAWN, "撤销"),
    },
)

ACTION_LABELS: dict[str, str] = {
    "open": "下发整改",
    "answer": "答复整改情况",
    "accept": "核实销号",
    "return": "退回重新整改",
    "withdraw": "撤销",
}

SOURCE_LINKS: dict[str, str] = {
    "alert": "/oversight/alerts/{id}",
    "review": "/oversight/reviews/problems/{id}",
    "clue": "/oversight/clues/{id}",
    "document": "/oversight/documents/{id}",
}
