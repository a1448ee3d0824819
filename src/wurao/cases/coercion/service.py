"""Coercive measures (查封、扣押、冻结): applying, approving, the emergency report, the testing
periods, the extension, the decision and the release — each step checks the actor, then the
state (``MEASURE_LIFECYCLE``), then the rules E1–E8, and logs a step with its audit entry.

Why the rules are checked here and not in a route: the page, the JSON API and the demo call
these verbs, so each refusal (BLOCK → RuleViolation naming its rule and field) is the same
everywhere (docs/coercion.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.cases.access import get_case
from wurao.cases.coercion import clocks
from wurao.cases.coercion.models import (
    CoercionItem,
    CoercionOfficer,
    CoercionSequence,
    CoercionStep,
    CoerciveEnforcement,
    CoerciveMeasure,
)
from wurao.cases.coercion.statuses import (
    OPEN,
    MeasureKind,
    MeasureStatus,
)
from wurao.cases.models import PenaltyCase
from wurao.cases.service import text
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.db import Base, insert_for
from wurao.core.errors import InvalidInput, NotFound, RuleViolation, Violation
from wurao.core.policy import get_policy
from wurao.core.time import local_date, utcnow
from wurao.registry.models import EnforcementSubject, Enterprise, Officer
from wurao.registry.officers.service import MIN_OFFICERS, officer_problems

MAX_ITEMS = 200
# the 字 of each numbering series: {organ}查扣字〔2026〕第3号
SERIES = {
    "seizure": "查扣",  # 查封 and 扣押 share one series
    "freeze": "冻结",
    "enforcement": "强执",
    "extension": "延期",
    "release": "解除",
    "reminder": "催告",
}


@dataclass(frozen=True)
class ItemData:
    """One line of the property list as typed."""

    description: str
    quantity: str
    location: str = ""
    owner: str = ""
    identifier: str = ""  # 车牌号、设备编号、账户号 …
    necessity: bool = False  # 生活必需品: refused (E4)


@dataclass(frozen=True)
class MeasureData:
    """What an officer enters to apply for (or, in an emergency, report) a measure."""

    kind: str
    reason: str
    basis: str
    officer_ids: tuple[int, ...]
    items: tuple[ItemData, ...]
    case_id: int | None = None
    enterprise_id: int | None = None
    party_name: str = ""
    party_present: bool = True
    witness: str = ""
    heard: bool = False
    emergency: bool = False
    executed_at: dt.datetime | None = None  # emergency: carried out on the spot at
    subject_id: int | None = None  # the actor's own subject unless a sysadmin names one


def item_key(description: str, identifier: str) -> str:
    """The normalised identity of a property item: identifier and description without
    spaces or punctuation, upper-cased (浙H·12345 and 浙h12345 are the same car)."""

    def norm(value: str) -> str:
        return re.sub(r"[\W_]+", "", value).upper()

    ident = norm(identifier)
    return f"{ident}|{norm(description)}" if ident else f"|{norm(description)}"


def next_number(session: Session, subject: EnforcementSubject, series: str, year: int) -> str:
    """The next number of a series per subject and year; the sequence row is locked."""
    values = {"subject_id": subject.id, "series": series, "year": year, "last": 0}
    session.execute(insert_for(session, CoercionSequence).values(**values).on_conflict_do_nothing())
    seq = session.scalars(
        select(CoercionSequence)
        .filter_by(subject_id=subject.id, series=series, year=year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    seq.last += 1
    return f"{subject.name}{SERIES[series]}字〔{year}〕第{seq.last}号"


def log_step(
    session: Session,
    *,
    actor: Actor,
    obj: CoerciveMeasure | CoerciveEnforcement,
    action: str,
    day: dt.date,
    note: str,
    before: dict[str, object] | None,
    covers: Iterable[Base] = (),
) -> CoercionStep:
    """One step of the timeline and its audit entry (the change and the rows it wrote)."""
    measure = isinstance(obj, CoerciveMeasure)
    entry = CoercionStep(
        measure_id=obj.id if measure else None,
        enforcement_id=None if measure else obj.id,
        action=action,
        day=day,
        actor_id=actor.user_id,
        actor_name=actor.display_name[:60],
        note=note,
        at=utcnow(),
    )
    session.add(entry)
    audit.record(
        session,
        actor=actor,
        action=f"{'coercion' if measure else 'enforcement'}.{action}",
        obj=obj,
        before=before,
        summary=f"{obj.number}：{note}",
        region_code=obj.region_code,
        covers=[entry, *covers],
    )
    return entry


def steps_of(session: Session, measure: CoerciveMeasure) -> list[CoercionStep]:
    """The measure's timeline, oldest first."""
    stmt = select(CoercionStep).where(CoercionStep.measure_id == measure.id)
    return list(session.scalars(stmt.order_by(CoercionStep.at, CoercionStep.id)))


def items_of(session: Session, measure: CoerciveMeasure) -> list[CoercionItem]:
    """The property list, in the order entered."""
    stmt = select(CoercionItem).where(CoercionItem.measure_id == measure.id)
    return list(session.scalars(stmt.order_by(CoercionItem.id)))


def enforcement_steps(session: Session, enf: CoerciveEnforcement) -> list[CoercionStep]:
    """The enforcement's timeline, oldest first."""
    stmt = select(CoercionStep).where(CoercionStep.enforcement_id == enf.id)
    return list(session.scalars(stmt.order_by(CoercionStep.at, CoercionStep.id)))


def subject_officers(session: Session, actor: Actor, on: dt.date) -> list[tuple[Officer, str]]:
    """The actor's subject's active officers, each with why it may not act on ``on`` (blank
    when it may), to choose who carries out a measure."""
    if actor.subject_id is None:
        return []
    stmt = select(Officer).where(Officer.subject_id == actor.subject_id, Officer.active.is_(True))
    out = []
    for o in session.scalars(stmt.order_by(Officer.name, Officer.id)):
        if o.kind != "officer":
            out.append((o, "辅助人员"))
            continue
        problems = officer_problems(o, on, region_code=actor.region_code)
        out.append((o, "执法证无效" if problems else ""))
    return out


def case_for(session: Session, actor: Actor, case_id: int | None) -> PenaltyCase | None:
    """The case a new measure or enforcement starts from (NotFound outside the actor's view)."""
    return None if case_id is None else get_case(session, actor=actor, case_id=case_id)


def officers_of(session: Session, measure: CoerciveMeasure) -> list[Officer]:
    """The officers carrying out the measure."""
    stmt = select(Officer).join(CoercionOfficer, CoercionOfficer.officer_id == Officer.id)
    return list(session.scalars(stmt.where(CoercionOfficer.measure_id == measure.id)))


# --- the checks -----------------------------------------------------------------------------


def officer_violations(officers: list[Officer], on: dt.date, region: str) -> list[Violation]:
    """E1: only the organ's own certified officers (no auxiliary staff, no one entrusted);
    E3: at least two of them fit on the day."""
    problems: list[Violation] = []
    for o in officers:
        if o.kind != "officer":
            problems.append(
                catalogue.E1.violation(
                    f"{o.name}为辅助人员，行政强制措施不得委托或由辅助人员实施。",
                    field="officer_ids",
                )
            )
    fit = [
        o
        for o in officers
        if o.kind == "officer" and not officer_problems(o, on, region_code=region)
    ]
    if len(fit) < MIN_OFFICERS:
        problems.append(
            catalogue.E3.violation(
                f"仅有{len(fit)}名符合条件的持证执法人员，行政强制措施应由两名以上行政执法人员实施。",
                field="officer_ids",
            )
        )
    return problems


def procedure_violations(data: MeasureData) -> list[Violation]:
    """E3: the party heard; absent, a witness signs the record."""
    problems: list[Violation] = []
    if not data.heard:
        problems.append(
            catalogue.E3.violation(
                "应当场告知当事人理由、依据和权利、救济途径，并听取其陈述和申辩。", field="heard"
            )
        )
    if not data.party_present and not data.witness.strip():
        problems.append(
            catalogue.E3.violation(
                "当事人不到场的，应邀请见证人到场，由见证人和行政执法人员在现场笔录上签名或盖章。",
                field="witness",
            )
        )
    return problems


def item_violations(
    session: Session, items: Iterable[ItemData], *, exclude: int | None = None
) -> list[Violation]:
    """E4: no necessities; nothing an open measure on the platform already holds."""
    problems: list[Violation] = []
    keys: dict[str, ItemData] = {}
    for item in items:
        if item.necessity:
            problems.append(
                catalogue.E4.violation(
                    f"“{item.description}”为公民个人及其所扶养家属的生活必需品，不得查封、扣押。",
                    field="items",
                )
            )
        keys[item_key(item.description, item.identifier)] = item
    if not keys:
        return problems
    stmt = (
        select(CoercionItem.key, CoerciveMeasure.number)
        .join(CoerciveMeasure, CoerciveMeasure.id == CoercionItem.measure_id)
        .where(
            CoercionItem.key.in_(sorted(keys)),
            CoerciveMeasure.status.in_(sorted(s.value for s in OPEN)),
        )
    )
    if exclude is not None:
        stmt = stmt.where(CoerciveMeasure.id != exclude)
    for key, number in session.execute(stmt):
        problems.append(
            catalogue.E4.violation(
                f"“{keys[key].description}”已被{number}查封、扣押或冻结且尚未解除，不得重复查封。",
                field="items",
                measure=number,
            )
        )
    return problems


def _items(data: MeasureData) -> list[ItemData]:
    if not data.items:
        raise InvalidInput("请填写查封、扣押、冻结的财物清单。", field="items")
    if len(data.items) > MAX_ITEMS:
        raise InvalidInput(f"清单最多{MAX_ITEMS}项。", field="items")
    for item in data.items:
        if not item.description.strip() or not item.quantity.strip():
            raise InvalidInput("清单每一项须写明财物名称和数量。", field="items")
    return list(data.items)


def _subject(session: Session, actor: Actor, data: MeasureData) -> EnforcementSubject:
    subject_id = data.subject_id if data.subject_id is not None else actor.subject_id
    if subject_id is None or (actor.subject_id is not None and subject_id != actor.subject_id):
        raise InvalidInput("请选择本执法主体。", field="subject_id")
    subject = session.get(EnforcementSubject, subject_id)
    if subject is None:
        raise NotFound("执法主体不存在。")
    return subject


def _party(
    session: Session, actor: Actor, subject: EnforcementSubject, data: MeasureData
) -> tuple[int | None, int | None, str]:
    """(case id, enterprise id, party name): from the case, the registry or as typed."""
    if data.case_id is not None:
        case = get_case(session, actor=actor, case_id=data.case_id)
        if case.subject_id != subject.id:
            raise InvalidInput("只能对本执法主体的案件采取行政强制措施。", field="case_id")
        return case.id, case.enterprise_id, case.party_name
    if data.enterprise_id is not None:
        ent = session.get(Enterprise, data.enterprise_id)
        if ent is None:
            raise InvalidInput("请从检查对象名录库选择当事人。", field="enterprise_id")
        return None, ent.id, ent.name
    name = text(data.party_name, field="party_name", label="当事人", required=True)
    return None, None, name[:200]


def _officers(session: Session, subject: EnforcementSubject, ids: Iterable[int]) -> list[Officer]:
    wanted = sorted(set(ids))
    found = list(session.scalars(select(Officer).where(Officer.id.in_(wanted))))
    if len(found) != len(wanted) or any(o.subject_id != subject.id for o in found):
        # another organ's staff: the power cannot be delegated (E1)
        raise RuleViolation(
            [catalogue.E1.violation("实施人员须为本行政机关的执法人员。", field="officer_ids")]
        )
    return found


def _series(kind: str) -> str:
    return "freeze" if kind == MeasureKind.FREEZE else "seizure"


def emergency_hours(measure: CoerciveMeasure, on: dt.date) -> int:
    """E2: the hours within which an emergency measure is reported to the head."""
    return int(get_policy().value("coercion.emergency_report_hours", measure.region_code, on))


# --- the verbs ------------------------------------------------------------------------------


def apply_measure(
    session: Session, *, actor: Actor, data: MeasureData, now: dt.datetime | None = None
) -> CoerciveMeasure:
    """Apply for a measure (待批准), or record one carried out on the spot in an emergency
    (实施中 at once, to be reported within 24 hours, E2); checks E1, E3 and E4."""
    actor.require(Permission.CASES_HANDLE)
    now = now or utcnow()
    subject = _subject(session, actor, data)
    if data.kind not in MeasureKind.labels():
        raise InvalidInput("请选择查封、扣押或冻结。", field="kind")
    case_id, enterprise_id, party = _party(session, actor, subject, data)
    reason = text(data.reason, field="reason", label="理由", required=True)
    basis = text(data.basis, field="basis", label="依据", required=True)
    items = _items(data)
    if data.emergency:
        if data.executed_at is None or data.executed_at > now:
            raise InvalidInput("请填写当场实施的时间（不晚于现在）。", field="executed_at")
        on = local_date(data.executed_at)
    else:
        on = local_date(now)
    officers = _officers(session, subject, data.officer_ids)
    problems = (
        officer_violations(officers, on, subject.region_code)
        + procedure_violations(data)
        + item_violations(session, items)
    )
    if problems:
        raise RuleViolation(problems)
    measure = CoerciveMeasure(
        number=next_number(session, subject, _series(data.kind), on.year),
        kind=data.kind,
        case_id=case_id,
        subject_id=subject.id,
        region_code=subject.region_code,
        enterprise_id=enterprise_id,
        party_name=party,
        reason=reason,
        basis=basis,
        party_present=data.party_present,
        witness=data.witness.strip()[:60],
        heard=data.heard,
        status=MeasureStatus.APPLIED.value,
        emergency=data.emergency,
        emergency_at=data.executed_at if data.emergency else None,
        created_by_id=actor.user_id,
        created_at=now,
    )
    if data.emergency:
        measure.status = MeasureStatus.IN_FORCE.value
        measure.starts_on = on
    session.add(measure)
    session.flush()
    rows: list[Base] = [CoercionOfficer(measure_id=measure.id, officer_id=o.id) for o in officers]
    rows += [
        CoercionItem(
            measure_id=measure.id,
            description=i.description.strip()[:300],
            quantity=i.quantity.strip()[:60],
            location=i.location.strip()[:200],
            owner=i.owner.strip()[:200] or party[:200],
            identifier=i.identifier.strip()[:80],
            key=item_key(i.description, i.identifier)[:400],
        )
        for i in items
    ]
    session.add_all(rows)
    if measure.starts_on is not None:
        measure.ends_on = clocks.period_end(measure, [])
    kind = MeasureKind(data.kind).label
    hours = emergency_hours(measure, on)
    note = (
        f"情况紧急，当场实施{kind}（{len(items)}项），须于{hours}小时内报告负责人"
        if data.emergency
        else f"申请{kind}（{len(items)}项），待负责人批准"
    )
    log_step(
        session,
        actor=actor,
        obj=measure,
        action="apply",
        day=on,
        note=note,
        before=None,
        covers=rows,
    )
    return measure
