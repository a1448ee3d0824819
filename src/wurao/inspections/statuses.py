"""The states of an inspection task and of its 行政行为码, each declared once with its label.

A task: draft (待赋码) → coded (已赋码) → in_progress (检查中) → done (已完成), or cancelled;
its code: valid → used (the inspection finished) or revoked. The transitions are guarded where
they happen (``issuing.issue_code``, ``records``); the labels and the groups the rules count
live here so that the lists, the record pages and the pre-checks read the same words.
"""

from __future__ import annotations

from wurao.core.lifecycle import LabelledEnum


class TaskStatus(LabelledEnum):
    """InspectionTask.status."""

    DRAFT = ("draft", "待赋码")
    CODED = ("coded", "已赋码")
    IN_PROGRESS = ("in_progress", "检查中")
    DONE = ("done", "已完成")
    CANCELLED = ("cancelled", "已取消")


class CodeStatus(LabelledEnum):
    """ActionCode.status."""

    VALID = ("valid", "有效")
    USED = ("used", "已使用（检查已完成）")
    REVOKED = ("revoked", "已撤销")


TASK_STATUSES: dict[str, str] = TaskStatus.labels()
CODE_STATUSES: dict[str, str] = CodeStatus.labels()
# Tasks still open (A6 looks for an overlapping one of the same enterprise).
OPEN_STATUSES: tuple[str, ...] = tuple(
    s.value for s in (TaskStatus.DRAFT, TaskStatus.CODED, TaskStatus.IN_PROGRESS)
)
# A code was issued: the visit takes place.
CODED_STATUSES: tuple[str, ...] = tuple(
    s.value for s in (TaskStatus.CODED, TaskStatus.IN_PROGRESS, TaskStatus.DONE)
)
