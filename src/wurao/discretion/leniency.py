"""The leniency lists (不予处罚、可以不予处罚（首违不罚）、减轻、从轻、从重清单) as data per
region and field, the lists a case's violation is on, and the party's history the officer weighs.

Why the history is read here through a lightweight ``table()``: the lists sit below ``cases``
(the decision asks this module), so the party's earlier cases are read by column, as the case
opening reads ``clue`` — this module never imports ``cases``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Select, column, func, or_, select, table
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import Forbidden, InvalidInput, NotFound, Violation
from wurao.core.ids import region_parent
from wurao.core.time import utcnow
from wurao.discretion.models import Circumstance, LeniencyEntry, LeniencyKind
from wurao.discretion.service import (
    MANAGE,
    CaseView,
    applicable_range,
    norm,
    owner_level,
    row_matches,
)
from wurao.inspections.models import InspectionRecord, InspectionTask
from wurao.registry.models import EnforcementSubject

NONE = "none"  # the officer's choice: no list applies to this case
CHOICES = {**LeniencyKind.labels(), NONE: "不适用清单（依法处罚）"}
# The lists that may spare the penalty: D17 prompts when one matches and no choice is recorded.
SPARING = (LeniencyKind.NO_PENALTY, LeniencyKind.MAY_NO_PENALTY)

_case = table(
    "penalty_case",
    column("id"),
    column("party_kind"),
    column("enterprise_id"),
    column("person_ric"),
    column("provisions_breached"),
    column("status"),
    column("decided_on"),
    column("outcome"),
)


class PartyCase(CaseView, Protocol):
    """The party of a case, for its history."""

    @property
    def party_kind(self) -> str: ...
    @property
    def enterprise_id(self) -> int | None: ...
    @property
    def person_ric(self) -> str: ...
    @property
    def leniency_choice(self) -> str: ...


# --- the lists ------------------------------------------------------------------------------


def entries_visible_to(actor: Actor) -> Select[LeniencyEntry]:
    """Every staff member reads the lists (they are public texts)."""
    actor.require(Permission.CASES_VIEW)
    return select(LeniencyEntry)


def may_edit_list(session: Session, actor: Actor, region_code: str, field: str) -> bool:
    """The region's supervisor (or above), or the administrator of a subject of that region and
    field, keeps a list."""
    if not actor.can(MANAGE):
        return False
    if actor.role is Role.SYSADMIN:
        return True
    if actor.role is Role.SUPERVISOR:
        return actor.covers_region(region_code)
    subject = session.get(EnforcementSubject, actor.subject_id) if actor.subject_id else None
    return subject is not None and (subject.region_code, subject.field) == (region_code, field)


def check_edit_list(session: Session, actor: Actor, region_code: str, field: str) -> None:
    """Raise unless the actor may change the region's list of the field (a town never)."""
    actor.require(MANAGE)
    owner_level(region_code)
    if not may_edit_list(session, actor, region_code, field):
        raise Forbidden("只能维护本地区、本领域的清单。")


@dataclass(frozen=True)
class EntryData:
    """One list entry as the form or a sheet row gives it."""

    region_code: str
    field: str
    kind: str
    violation: str
    violation_code: str = ""
    provision: str = ""
    conditions: str = ""


def entry_problems(data: EntryData) -> list[tuple[str, str]]:
    """(field, Chinese reason) for each problem of an entry; empty when it may be saved."""
    out = []
    if data.kind not in LeniencyKind.labels():
        out.append(("kind", "清单类别应为：" + "、".join(LeniencyKind.labels().values())))
    if not data.field.strip():
        out.append(("field", "请填写执法领域"))
    if not data.violation.strip():
        out.append(("violation", "请填写违法行为"))
    elif len(data.violation.strip()) > 300:
        out.append(("violation", "违法行为最多300个字"))
    if len(data.violation_code.strip()) > 40:
        out.append(("violation_code", "违法行为编码最多40个字"))
    if not (data.provision.strip() or data.violation_code.strip()):
        out.append(("provision", "请填写法律依据或违法行为编码（用于与案件匹配）"))
    return out


def add_entry(session: Session, *, actor: Actor, data: EntryData) -> LeniencyEntry:
    """Add one entry to a region's list of a field."""
    check_edit_list(session, actor, data.region_code.strip(), data.field.strip())
    problems = entry_problems(data)
    if problems:
        field, reason = problems[0]
        raise InvalidInput(reason + "。", field=field)
    entry = build_entry(actor, data)
    session.add(entry)
    audit.record(
        session,
        actor=actor,
        action="leniency.add",
        obj=entry,
        summary=f"{LeniencyKind(entry.kind).label}清单：{entry.violation}",
        region_code=entry.region_code,
    )
    return entry


def build_entry(actor: Actor, data: EntryData) -> LeniencyEntry:
    """The row for a checked entry (not yet added)."""
    return LeniencyEntry(
        region_code=data.region_code.strip(),
        field=data.field.strip(),
        kind=data.kind,
        violation=data.violation.strip(),
        violation_code=data.violation_code.strip(),
        provision=data.provision.strip(),
        conditions=data.conditions.strip(),
        created_by_id=actor.user_id,
        created_at=utcnow(),
    )


def delete_entry(session: Session, *, actor: Actor, entry_id: int) -> None:
    """Remove one entry from its list."""
    entry = session.get(LeniencyEntry, entry_id)
    if entry is None:
        raise NotFound("清单条目不存在。")
    check_edit_list(session, actor, entry.region_code, entry.field)
    before = audit.snapshot(entry)
    session.delete(entry)
    audit.record(
        session,
        actor=actor,
        action="leniency.delete",
        obj=entry,
        before=before,
        deleted=True,
        summary=f"删除{LeniencyKind(entry.kind).label}清单条目：{entry.violation}",
        region_code=entry.region_code,
    )


def list_entries(
    session: Session, *, actor: Actor, region: str = "", field: str = "", kind: str = ""
) -> Select[LeniencyEntry]:
    """The entries filtered by region (and below), field and list, in list order."""
    stmt = entries_visible_to(actor)
    if region.strip():
        stmt = stmt.where(LeniencyEntry.region_code.startswith(region.strip(), autoescape=True))
    if field.strip():
        stmt = stmt.where(LeniencyEntry.field == field.strip())
    if kind in LeniencyKind.labels():
        stmt = stmt.where(LeniencyEntry.kind == kind)
    return stmt.order_by(
        LeniencyEntry.region_code, LeniencyEntry.field, LeniencyEntry.kind, LeniencyEntry.id
    )


# --- a case's lists and history -------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """The party's record on the platform before this case."""

    earlier_cases: int  # decided with a penalty
    same_provision: int  # of which for the same provision
    rectify_orders: int  # inspections ending in 责令整改
    corrected_in_time: bool | None  # None: the platform holds no follow-up result

    @property
    def first_violation(self) -> bool:
        """No earlier penalty for the same provision (首违)."""
        return self.same_provision == 0


@dataclass(frozen=True)
class Leniency:
    """What the case page shows: the matching entries and the party's history."""

    entries: list[LeniencyEntry]
    history: History

    @property
    def kinds(self) -> list[str]:
        """The lists matched, in the order of LeniencyKind."""
        found = {e.kind for e in self.entries}
        return [k.value for k in LeniencyKind if k.value in found]


def _regions(code: str) -> set[str]:
    county = code[:6]
    parent = region_parent(county)
    return {county, parent} if parent else {county}


def history_of(session: Session, case: PartyCase) -> History:
    """The party's earlier penalty cases and the inspections that ordered it to correct."""
    if case.party_kind == "enterprise" and case.enterprise_id is not None:
        party = _case.c.enterprise_id == case.enterprise_id
    elif case.person_ric:
        party = _case.c.person_ric == case.person_ric
    else:
        return History(0, 0, 0, None)
    earlier = session.execute(
        select(_case.c.provisions_breached).where(
            party,
            _case.c.id != case.id,
            _case.c.outcome == "penalty",
            _case.c.decided_on.is_not(None),
        )
    ).all()
    wanted = norm(case.provisions_breached)
    same = sum(1 for (p,) in earlier if wanted and norm(p) == wanted)
    rectify = 0
    if case.enterprise_id is not None:
        rectify = int(
            session.scalar(
                select(func.count())
                .select_from(InspectionRecord)
                .join(InspectionTask, InspectionTask.id == InspectionRecord.task_id)
                .where(
                    InspectionTask.enterprise_id == case.enterprise_id,
                    InspectionRecord.outcome == "rectify",
                )
            )
            or 0
        )
    return History(len(earlier), same, rectify, None)


def leniency_for(session: Session, case: PartyCase) -> Leniency:
    """The list entries naming the case's violation in its field and region (county and
    city), with the party's history."""
    stmt = select(LeniencyEntry).where(
        LeniencyEntry.field == case.field,
        LeniencyEntry.region_code.in_(_regions(case.region_code)),
        or_(LeniencyEntry.provision != "", LeniencyEntry.violation_code != ""),
    )
    entries = [
        e
        for e in session.scalars(stmt.order_by(LeniencyEntry.kind, LeniencyEntry.id))
        if row_matches(e.violation_code, e.provision, case)
    ]
    return Leniency(entries, history_of(session, case))


def choice_problems(choice: str, reason: str) -> list[tuple[str, str]]:
    """(field, reason) problems of an officer's recorded choice."""
    out = []
    if choice not in CHOICES:
        out.append(("choice", "请选择是否适用清单"))
    if not reason.strip():
        out.append(("reason", "请写明适用或不适用清单的理由"))
    return out


def leniency_findings(session: Session, case: PartyCase, *, penalty: bool) -> list[Violation]:
    """D17 (WARN): a penalty decided while the violation is on a 不予处罚 or 可以不予处罚
    list and the officer recorded no choice."""
    if not penalty or case.leniency_choice:
        return []
    found = leniency_for(session, case)
    sparing = [e for e in found.entries if e.kind in SPARING]
    if not sparing:
        return []
    names = "、".join(sorted({LeniencyKind(e.kind).label for e in sparing}))
    return [
        catalogue.D17.violation(
            f"该违法行为列入{names}清单，尚未记录是否适用及理由。",
            field="leniency_choice",
        )
    ]


def today_lists(found: Leniency) -> str:
    """The matched lists as the case stores them (``|no_penalty|lighter|``)."""
    return "|" + "|".join(found.kinds) + "|" if found.kinds else ""


def case_panel(session: Session, case: PartyCase, on: dt.date) -> dict[str, object]:
    """What ``cases/_discretion.html`` shows for a case: the lists it is on, the party's
    history, the benchmark range in force on ``on`` and the choices of the two forms."""
    return {
        "leniency": leniency_for(session, case),
        "applicable": applicable_range(session, case, on),
        "choices": CHOICES,
        "kind_labels": LeniencyKind.labels(),
        "circumstances": Circumstance.labels(),
    }
