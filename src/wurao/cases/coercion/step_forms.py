"""The step forms of a measure and an enforcement: their fields once, the parsing of what was
typed (pages post a form, the JSON API posts the same names), and the one service call each.

Why one table: the measure page draws each allowed step's form from it, the POST route and
``POST /api/v1/coercion/.../steps/{action}`` parse with it, so a field's name, label and check
are written once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.cases.coercion import enforcement, steps
from wurao.cases.coercion.models import CoerciveEnforcement, CoerciveMeasure
from wurao.cases.coercion.statuses import Outcome
from wurao.core.errors import InvalidInput, NotFound, Violation
from wurao.core.time import LOCAL_TZ
from wurao.web.forms import form_date

Values = Mapping[str, str]


@dataclass(frozen=True)
class Field:
    """One input: name, Chinese label, kind (text/date/datetime/check/select/textarea)."""

    name: str
    label: str
    kind: str = "text"
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Step:
    """One step's form and the service call it makes."""

    action: str
    title: str
    fields: tuple[Field, ...]
    note: str = ""


def parse_at(value: str, field: str) -> dt.datetime:
    """A local date and time (``2026-10-12T09:30``) as an aware timestamp."""
    try:
        naive = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("请填写正确的日期和时间。", field=field) from None
    return naive.replace(tzinfo=LOCAL_TZ) if naive.tzinfo is None else naive


def day(values: Values, name: str) -> dt.date:
    """A required date."""
    got = form_date(values.get(name, ""), name)
    if got is None:
        raise InvalidInput("请填写日期。", field=name)
    return got


def opt_day(values: Values, name: str) -> dt.date | None:
    """An optional date."""
    return form_date(values.get(name, ""), name)


def checked(values: Values, name: str) -> bool:
    """A checkbox."""
    return values.get(name, "") in ("1", "on", "true", "yes")


APPROVER = Field("approver", "批准的负责人")
REASON = Field("reason", "理由", "textarea")
ON = Field("on", "日期", "date")
OUTCOMES = tuple((k, v) for k, v in Outcome.labels().items())

MEASURE_STEPS: dict[str, Step] = {
    s.action: s
    for s in (
        Step("approve", "负责人批准实施", (APPROVER, Field("approved_at", "批准时间", "datetime"))),
        Step(
            "report",
            "紧急实施后报告负责人",
            (
                Field("approver", "负责人"),
                Field("reported_at", "报告时间", "datetime"),
                Field("approved", "负责人批准（不勾选即不批准，立即解除）", "check", False),
                Field("opinion", "负责人意见（不批准时必填）", "textarea", False),
            ),
            "情况紧急当场实施的，应在24小时内报告并补办批准手续；负责人不批准的立即解除（E2）。",
        ),
        Step("deliver", "交付冻结决定书", (ON,), "冻结后3个工作日内交付（E8）。"),
        Step(
            "pause",
            "登记检测、检验、检疫、技术鉴定期间",
            (
                Field("reason", "检测事项"),
                Field("starts_on", "开始日期", "date"),
                Field("ends_on", "结束日期", "date"),
                Field(
                    "notified_on", "书面告知当事人的日期（未告知的留空，计入期限）", "date", False
                ),
            ),
            "检测等期间应当明确并书面告知当事人，方不计入查封、扣押期限（E6）。",
        ),
        Step(
            "extend",
            "延长期限",
            (
                APPROVER,
                ON,
                Field("notified_on", "延长通知书送达日期", "date"),
                Field("reason", "情况复杂的理由", "textarea"),
            ),
            "经负责人批准可延长一次，不超过30日，延长决定应书面告知当事人（E6）。",
        ),
        Step(
            "decide",
            "作出处理决定",
            (
                Field("outcome", "处理决定", "select", choices=OUTCOMES),
                ON,
                Field("reason", "理由和依据", "textarea"),
            ),
            "期限内作出没收、销毁或解除决定；期限届满的只能解除（E7）。",
        ),
        Step("release", "解除", (ON, Field("reason", "解除理由", "textarea"))),
    )
}

ENFORCEMENT_STEPS: dict[str, Step] = {
    s.action: s
    for s in (
        Step(
            "remind",
            "送达催告书",
            (
                Field("served_on", "送达日期", "date"),
                Field("content", "催告内容（履行期限、方式，当事人有权陈述申辩）", "textarea"),
            ),
            "强制执行前应书面催告（E9）。",
        ),
        Step(
            "enforce",
            "强制执行",
            (
                Field("at", "执行时间", "datetime"),
                Field("method", "执行方式", "textarea"),
                Field(
                    "emergency_reason",
                    "情况紧急的理由（夜间或节假日执行时必填）",
                    "textarea",
                    False,
                ),
            ),
            "不得在夜间（22时至次日6时）或法定节假日实施，情况紧急的除外（E9）。",
        ),
        Step(
            "notify_substitute",
            "送达代履行决定书",
            (ON,),
            "代履行3个工作日前催告当事人履行（E9）。",
        ),
        Step(
            "substitute",
            "代履行",
            (ON, Field("how", "代履行人和方式", "textarea")),
            "代履行决定书送达满3个工作日后方可代履行（E9）。",
        ),
        Step(
            "apply_court",
            "申请人民法院强制执行",
            (ON, Field("court", "受理法院")),
            "复议、诉讼期限届满之日起3个月内，且催告书送达10个工作日后（E10）。",
        ),
        Step("close", "当事人已履行", (ON, Field("note", "履行情况", "textarea"))),
    )
}


def step_of(steps: dict[str, Step], action: str) -> Step:
    """The step named in a URL (NotFound for an unknown one)."""
    found = steps.get(action)
    if found is None:
        raise NotFound("没有这个办理步骤。")
    return found


def run_measure_step(
    session: Session, actor: Actor, measure: CoerciveMeasure, action: str, v: Values
) -> list[Violation]:
    """Parse the values of ``action`` and take the step; the warnings it recorded."""
    s = steps
    if action == "approve":
        at = parse_at(v.get("approved_at", ""), "approved_at")
        s.approve_measure(
            session, actor=actor, measure=measure, approver=v.get("approver", ""), approved_at=at
        )
    elif action == "report":
        at = parse_at(v.get("reported_at", ""), "reported_at")
        s.report_emergency(
            session,
            actor=actor,
            measure=measure,
            approver=v.get("approver", ""),
            reported_at=at,
            approved=checked(v, "approved"),
            opinion=v.get("opinion", ""),
        )
    elif action == "deliver":
        return s.deliver_freeze(session, actor=actor, measure=measure, on=day(v, "on"))
    elif action == "pause":
        s.add_pause(
            session,
            actor=actor,
            measure=measure,
            starts_on=day(v, "starts_on"),
            ends_on=day(v, "ends_on"),
            reason=v.get("reason", ""),
            notified_on=opt_day(v, "notified_on"),
        )
    elif action == "extend":
        s.extend_measure(
            session,
            actor=actor,
            measure=measure,
            approver=v.get("approver", ""),
            on=day(v, "on"),
            notified_on=opt_day(v, "notified_on"),
            reason=v.get("reason", ""),
        )
    elif action == "decide":
        s.decide_measure(
            session,
            actor=actor,
            measure=measure,
            outcome=v.get("outcome", ""),
            on=day(v, "on"),
            reason=v.get("reason", ""),
        )
    elif action == "release":
        s.release_measure(
            session, actor=actor, measure=measure, on=day(v, "on"), reason=v.get("reason", "")
        )
    else:
        raise NotFound("没有这个办理步骤。")
    return []


def run_enforcement_step(
    session: Session, actor: Actor, enf: CoerciveEnforcement, action: str, v: Values
) -> None:
    """Parse the values of ``action`` and take the enforcement step."""
    e = enforcement
    if action == "remind":
        e.serve_reminder(
            session,
            actor=actor,
            enf=enf,
            served_on=day(v, "served_on"),
            content=v.get("content", ""),
        )
    elif action == "enforce":
        e.enforce(
            session,
            actor=actor,
            enf=enf,
            at=parse_at(v.get("at", ""), "at"),
            method=v.get("method", ""),
            emergency_reason=v.get("emergency_reason", ""),
        )
    elif action == "notify_substitute":
        e.notify_substitute(session, actor=actor, enf=enf, on=day(v, "on"))
    elif action == "substitute":
        e.substitute(session, actor=actor, enf=enf, on=day(v, "on"), how=v.get("how", ""))
    elif action == "apply_court":
        e.apply_to_court(session, actor=actor, enf=enf, on=day(v, "on"), court=v.get("court", ""))
    elif action == "close":
        e.close_enforcement(session, actor=actor, enf=enf, on=day(v, "on"), note=v.get("note", ""))
    else:
        raise NotFound("没有这个办理步骤。")
