"""The states and steps of a coercive measure and of an enforcement, and their coded choices."""

from __future__ import annotations

from wurao.core.lifecycle import LabelledEnum, Lifecycle, step


class MeasureKind(LabelledEnum):
    """查封 (immovables, sealed in place), 扣押 (movables, taken away), 冻结 (deposits)."""

    SEIZURE = ("seizure", "查封")
    DETENTION = ("detention", "扣押")
    FREEZE = ("freeze", "冻结")


class MeasureStatus(LabelledEnum):
    """A measure's state; "expired" is not stored: an in-force measure past its last day."""

    APPLIED = ("applied", "待批准")
    IN_FORCE = ("in_force", "实施中")
    EXTENDED = ("extended", "已延长")
    DECIDED = ("decided", "已作出处理决定")
    RELEASED = ("released", "已解除")


RUNNING = frozenset({MeasureStatus.IN_FORCE, MeasureStatus.EXTENDED})
OPEN = RUNNING | {MeasureStatus.APPLIED}
"""Measures holding property: a second seizure of their items is refused (E4)."""

MEASURE_LIFECYCLE = Lifecycle(
    "行政强制措施",
    MeasureStatus,
    {
        "approve": step(MeasureStatus.APPLIED, MeasureStatus.IN_FORCE, "批准实施"),
        "report": step(RUNNING, None, "补办批准手续"),
        "deliver": step(RUNNING, None, "交付冻结决定书"),
        "pause": step(RUNNING, None, "登记检测期间"),
        "extend": step(MeasureStatus.IN_FORCE, MeasureStatus.EXTENDED, "延长期限"),
        "decide": step(RUNNING, MeasureStatus.DECIDED, "作出处理决定"),
        "release": step(OPEN, MeasureStatus.RELEASED, "解除"),
    },
)


class Outcome(LabelledEnum):
    """The decision that ends a measure (行政强制法 第27条、第28条)."""

    CONFISCATE = ("confiscate", "没收")
    DESTROY = ("destroy", "销毁")
    RELEASE = ("release", "解除")


class EnforcementStatus(LabelledEnum):
    """An enforcement's state."""

    OPEN = ("open", "待催告")
    REMINDED = ("reminded", "已催告")
    ENFORCED = ("enforced", "已强制执行")
    SUBSTITUTED = ("substituted", "已代履行")
    COURT = ("court", "已申请法院强制执行")
    CLOSED = ("closed", "已履行结束")


ENFORCEMENT_LIFECYCLE = Lifecycle(
    "强制执行",
    EnforcementStatus,
    {
        "remind": step(EnforcementStatus.OPEN, EnforcementStatus.REMINDED, "催告"),
        "enforce": step(EnforcementStatus.REMINDED, EnforcementStatus.ENFORCED, "强制执行"),
        "notify_substitute": step(EnforcementStatus.REMINDED, None, "送达代履行决定书"),
        "substitute": step(EnforcementStatus.REMINDED, EnforcementStatus.SUBSTITUTED, "代履行"),
        "apply_court": step(
            EnforcementStatus.REMINDED, EnforcementStatus.COURT, "申请法院强制执行"
        ),
        "close": step(
            [EnforcementStatus.OPEN, EnforcementStatus.REMINDED], EnforcementStatus.CLOSED, "结束"
        ),
    },
)
