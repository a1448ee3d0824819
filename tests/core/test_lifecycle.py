"""The lifecycle helper: labelled statuses, the transitions table and the Conflict it raises."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from wurao.core.errors import Conflict
from wurao.core.lifecycle import LabelledEnum, Lifecycle, step
from wurao.planning.service import PLAN_LIFECYCLE, PlanStatus
from wurao.planning.special import SPECIAL_LIFECYCLE, SpecialStatus
from wurao.registry.items.methods import CHOICE_TEXT, IMPORT_NAMES, METHODS, Method


class Door(LabelledEnum):
    OPEN = ("open", "已打开")
    SHUT = ("shut", "已关闭")
    LOCKED = ("locked", "已上锁")


DOOR = Lifecycle(
    "门",
    Door,
    {
        "shut": step(Door.OPEN, Door.SHUT, "关门"),
        "lock": step(Door.SHUT, Door.LOCKED, "上锁"),
        "knock": step((Door.SHUT, Door.LOCKED), None, "敲门"),
    },
)


@dataclass
class Thing:
    status: str


def test_members_are_the_stored_strings_with_labels() -> None:
    assert Door.OPEN == "open" and isinstance(Door.OPEN, str)
    assert Door("shut").label == "已关闭"
    assert Door.labels() == {"open": "已打开", "shut": "已关闭", "locked": "已上锁"}
    assert DOOR.label("locked") == "已上锁"
    assert DOOR.label("unknown") == "unknown"  # an old value shows as it is, never crashes


def test_advance_moves_and_a_guard_only_action_keeps_the_status() -> None:
    door = Thing("open")
    assert DOOR.advance(door, "shut") is Door.SHUT
    assert door.status == "shut" and type(door.status) is str  # the column gets a plain str
    assert DOOR.can(door, "knock") and not DOOR.can(door, "shut")
    assert DOOR.advance(door, "knock") is None
    assert door.status == "shut"


def test_refusal_names_state_action_and_allowed_states_in_chinese() -> None:
    door = Thing("open")
    with pytest.raises(Conflict) as caught:
        DOOR.advance(door, "knock")
    assert caught.value.message == (
        "门当前状态为“已打开”，不能敲门；此操作仅适用于“已关闭或已上锁”的门。"
    )
    assert door.status == "open"


def test_plan_and_special_tables_use_only_declared_states() -> None:
    for lifecycle, states in ((PLAN_LIFECYCLE, PlanStatus), (SPECIAL_LIFECYCLE, SpecialStatus)):
        for move in lifecycle.transitions.values():
            assert move.sources <= set(states)
            assert move.target is None or move.target in states
            assert move.verb
    assert PLAN_LIFECYCLE.label("superseded") == "已被新版本替代"
    assert SPECIAL_LIFECYCLE.label("filed") == "已公布并报备"


def test_methods_are_defined_once_with_one_wording() -> None:
    assert METHODS == {"onsite": "现场检查", "offsite": "非现场检查", "written": "书面核查"}
    assert Method.WRITTEN.label == "书面核查"
    assert IMPORT_NAMES == {"现场": "onsite", "非现场": "offsite", "书面核查": "written"}
    assert CHOICE_TEXT == "现场检查、非现场检查或书面核查"
