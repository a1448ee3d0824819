"""The stages of a penalty case and the coded choices a case records, each with its label.

Why a lifecycle table: the 行政处罚法 fixes the order of the steps (立案 → 调查取证 → 告知 →
听证 → 法制审核 → 集体讨论 → 决定 → 送达 → 执行 → 结案), and every refusal of a step out of
order must name the case's stage in the same words (core/lifecycle.py). 听证 and 法制审核 are
stages of their own because the case waits on someone else there (the party, the reviewer);
集体讨论, 陈述申辩 and the hearing's notice and record are dated milestones checked by the
rules, not stages.
"""

from __future__ import annotations

from wurao.core.lifecycle import LabelledEnum, Lifecycle, step


class CaseStatus(LabelledEnum):
    """Where a case stands."""

    LEAD = ("lead", "待立案")
    INVESTIGATING = ("investigating", "调查取证")
    NOTIFIED = ("notified", "已告知")
    HEARING = ("hearing", "听证")
    REVIEW = ("review", "法制审核中")
    REVIEWED = ("reviewed", "待决定")
    DECIDED = ("decided", "已决定")
    SERVED = ("served", "已送达（执行中）")
    EXECUTED = ("executed", "执行完毕")
    CLOSED = ("closed", "已结案")
    NOT_FILED = ("not_filed", "不予立案")
    WITHDRAWN = ("withdrawn", "已撤案")


S = CaseStatus
_WORKING = (S.INVESTIGATING, S.NOTIFIED, S.HEARING, S.REVIEW, S.REVIEWED)
OPEN = frozenset({S.LEAD, *_WORKING, S.DECIDED, S.SERVED, S.EXECUTED})
"""Statuses in which a clock may still run (the sweep's and the timeline's cases)."""
DECIDED_STATES = frozenset({S.DECIDED, S.SERVED, S.EXECUTED, S.CLOSED})
"""A decision exists: what the party (an enterprise) may see."""

CASE_LIFECYCLE = Lifecycle(
    "案件",
    CaseStatus,
    {
        "file": step(S.LEAD, S.INVESTIGATING, "立案"),
        "not_file": step(S.LEAD, S.NOT_FILED, "决定不予立案"),
        "decide_on_spot": step(S.LEAD, S.SERVED, "当场作出处罚决定"),
        "evidence": step((S.LEAD, *_WORKING), None, "登记证据"),
        "suspend": step((S.LEAD, *_WORKING), None, "登记中止"),
        "extend": step(_WORKING, None, "延长办案期限"),
        "notify": step((S.INVESTIGATING, S.NOTIFIED, S.REVIEWED), S.NOTIFIED, "送达告知书"),
        "defence": step((S.NOTIFIED, S.HEARING), None, "记录陈述申辩"),
        "request_hearing": step(S.NOTIFIED, S.HEARING, "登记听证申请"),
        "notify_hearing": step(S.HEARING, None, "通知听证"),
        "hold_hearing": step(S.HEARING, None, "记录听证"),
        "send_review": step((S.INVESTIGATING, S.NOTIFIED, S.HEARING), S.REVIEW, "送法制审核"),
        "review_pass": step(S.REVIEW, S.REVIEWED, "审核通过"),
        "review_return": step(S.REVIEW, S.INVESTIGATING, "退回补充调查"),
        "discuss": step((S.NOTIFIED, S.HEARING, S.REVIEWED), None, "记录集体讨论"),
        "decide": step((S.NOTIFIED, S.HEARING, S.REVIEWED), S.DECIDED, "作出处罚决定"),
        "decide_no_penalty": step(_WORKING, S.DECIDED, "作出不予处罚决定"),
        "serve": step(S.DECIDED, S.SERVED, "送达决定书"),
        "remedy": step((S.SERVED, S.EXECUTED), None, "登记复议或诉讼"),
        "pay": step(S.SERVED, S.EXECUTED, "登记缴款"),
        "close": step((S.SERVED, S.EXECUTED), S.CLOSED, "结案"),
        "withdraw": step(_WORKING, S.WITHDRAWN, "撤案"),
    },
)


class Origin(LabelledEnum):
    """Where a case came from."""

    RECORD = ("record", "检查移送立案")
    CLUE = ("clue", "监督线索")
    REFERRAL = ("referral", "移送、交办")
    OWN = ("own", "自行发现")


class Procedure(LabelledEnum):
    """普通程序 or 简易程序 (当场处罚, D14)."""

    ORDINARY = ("ordinary", "普通程序")
    SIMPLE = ("simple", "简易程序（当场处罚）")


class PartyKind(LabelledEnum):
    """Who is penalised: thresholds differ for a person and an organisation (D6, D14)."""

    ENTERPRISE = ("enterprise", "法人或者其他组织")
    PERSON = ("person", "公民")


class PenaltyKind(LabelledEnum):
    """The kinds of 行政处罚 (行政处罚法 第9条) a case may propose or decide."""

    WARNING = ("warning", "警告")
    CRITICISM = ("criticism", "通报批评")
    FINE = ("fine", "罚款")
    CONFISCATION = ("confiscation", "没收违法所得、没收非法财物")
    LICENCE_SUSPEND = ("licence_suspend", "暂扣许可证件")
    QUALIFICATION_DOWN = ("qualification_down", "降低资质等级")
    LICENCE_REVOKE = ("licence_revoke", "吊销许可证件")
    RESTRICT_ACTIVITY = ("restrict_activity", "限制开展生产经营活动")
    SUSPENSION = ("suspension", "责令停产停业")
    CLOSURE = ("closure", "责令关闭")
    RESTRICT_PRACTICE = ("restrict_practice", "限制从业")


class SuspensionKind(LabelledEnum):
    """Why a case's clocks stand still (D3: 检测、听证、公告 and other suspensions)."""

    TESTING = ("testing", "检测、检验、检疫、鉴定")
    HEARING = ("hearing", "听证")
    ANNOUNCEMENT = ("announcement", "公告")
    OTHER = ("other", "其他中止情形")


class ServiceMethod(LabelledEnum):
    """How the decision reached the party (D13)."""

    ON_SPOT = ("on_spot", "宣告后当场交付")
    DIRECT = ("direct", "直接送达")
    MAIL = ("mail", "邮寄送达")
    ELECTRONIC = ("electronic", "电子送达")
    ANNOUNCEMENT = ("announcement", "公告送达")


class PaymentChannel(LabelledEnum):
    """Where the fine was paid (D15 罚缴分离)."""

    BANK = ("bank", "指定银行")
    ONLINE = ("online", "电子支付系统")
    ON_SPOT = ("on_spot", "当场收缴")


def kinds_text(kinds: set[str]) -> str:
    """The stored form of a set of penalty kinds: ``|fine|warning|`` in declaration order."""
    ordered = [k.value for k in PenaltyKind if k.value in kinds]
    return "|" + "|".join(ordered) + "|" if ordered else ""


def kinds_of(text: str) -> set[str]:
    """The penalty kinds of a stored ``|a|b|`` string."""
    return {k for k in text.split("|") if k}


def kinds_label(text: str) -> str:
    """The Chinese names of stored penalty kinds, for messages and pages."""
    labels = PenaltyKind.labels()
    return "、".join(labels[k] for k in labels if k in kinds_of(text))
