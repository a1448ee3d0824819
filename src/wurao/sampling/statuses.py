"""The states of a 双随机 draw, declared once with their labels, and the steps between them.

A draw: draft (待冻结) → frozen (pool, roster and seed commitment published) → drawn, or
cancelled from draft or frozen. The public random value is entered while the draw is frozen.
The draw pages, the list filter and the inspection pre-check (A4: a task's draw must have been
drawn) all read these labels, so a state is named in the same words everywhere.
"""

from __future__ import annotations

from wurao.core.lifecycle import LabelledEnum, Lifecycle, step


class DrawStatus(LabelledEnum):
    """Draw.status."""

    DRAFT = ("draft", "待冻结")
    FROZEN = ("frozen", "已冻结（种子已承诺）")
    DRAWN = ("drawn", "已抽取")
    CANCELLED = ("cancelled", "已取消")


DRAW_LIFECYCLE = Lifecycle(
    "抽查",
    DrawStatus,
    {
        "freeze": step(DrawStatus.DRAFT, DrawStatus.FROZEN, "冻结名录库"),
        # Entered once between the freeze and the draw: the status stays.
        "public_value": step(DrawStatus.FROZEN, None, "录入公开随机数"),
        # Each draw is drawn once: a drawn one is no longer frozen.
        "run": step(DrawStatus.FROZEN, DrawStatus.DRAWN, "抽取"),
        "cancel": step((DrawStatus.DRAFT, DrawStatus.FROZEN), DrawStatus.CANCELLED, "取消"),
    },
)
DRAW_STATES: dict[str, str] = DrawStatus.labels()
