"""D20: the public disclosure of penalty decisions and its withdrawal.

行政处罚法 第48条: decisions with a certain social impact are made public; a published
decision that is changed, revoked or found unlawful or void is withdrawn within three (working)
days with the reason stated. How soon a decision is published depends on the field —
国办发〔2018〕118号 says seven working days, the SAMR 公示规定 第9条 twenty for 市场监管 — so the
policy table ``case.publication_fields`` says, per field, whether decisions are published and
within how many working days. Only decisions of the 普通程序 with a penalty are published
(不予处罚 and 当场处罚 are not). A ``case_publication`` row is opened when the decision is made;
``publication_deadlines`` hands both clocks to the timeline and the sweep.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor, region_in_scope
from wurao.cases.access import check_handle
from wurao.cases.clocks import Deadline, counted_between
from wurao.cases.documents import penalty_text
from wurao.cases.models import CaseDocument, CasePublication, PenaltyCase
from wurao.cases.service import Done, log_step, text
from wurao.cases.statuses import DECIDED_STATES, PartyKind, Procedure
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.clock import WORKING, Clock
from wurao.core.errors import Conflict, InvalidInput, NotFound, Violation
from wurao.core.ids import IdentifierError, region_scope_prefix, validate_region_code
from wurao.core.paging import PER_PAGE, Page, paginate_rows
from wurao.core.policy import get_policy
from wurao.core.time import utcnow
from wurao.registry.models import EnforcementSubject

FIELDS_PARAM = "case.publication_fields"
WITHDRAW_PARAM = "case.publication_withdraw_working_days"


class FieldClock(Clock):
    """A clock whose length depends on the case's field: a ``table`` parameter keyed by field
    (``default`` for the others), each entry ``{publish, working_days}``."""

    def entry(self, start: dt.date, region: str, field: str) -> dict[str, Any]:
        """The field's entry in force for ``region`` on the start date."""
        table = get_policy().value(self.param, region, start)
        row: dict[str, Any] = table.get(field) or table["default"]
        return row

    def length(self, start: dt.date, region: str) -> int:
        """Refused: the length needs the field (``field_deadline``)."""
        raise TypeError(f"{self.name}: the length depends on the field")

    def shortest(self, until: dt.date) -> int:
        """The shortest period of any field in force anywhere on or before ``until`` (the
        sweep's set-based pre-filter)."""
        values = get_policy().parameters[self.param].values
        return min(
            int(entry["working_days"])
            for v in values
            if v.effective <= until
            for entry in v.value.values()
        )

    def field_deadline(self, start: dt.date, region: str, field: str) -> dt.date:
        """The last day to publish a decision of ``field`` made on ``start``."""
        return self._advance(start, int(self.entry(start, region, field)["working_days"]), [])


PUBLISH_CLOCK = FieldClock(
    catalogue.D20, "处罚决定公开期限", "作出行政处罚决定", FIELDS_PARAM, WORKING
)
"""D20: publish within the field's working days of the decision."""
WITHDRAW_CLOCK = Clock(
    catalogue.D20, "撤回公开期限", "处罚决定被变更、撤销", WITHDRAW_PARAM, WORKING
)
"""D20: withdraw within three working days of the decision's change or revocation."""


def publishable(case: PenaltyCase) -> bool:
    """Whether the case has a decision of the kind that is published (普通程序, a penalty)."""
    return (
        case.decided_on is not None
        and case.outcome == "penalty"
        and case.procedure == Procedure.ORDINARY
        and case.status in {s.value for s in DECIDED_STATES}
    )


def get_publication(session: Session, case: PenaltyCase) -> CasePublication | None:
    """The case's publication row, if opened."""
    return session.scalar(select(CasePublication).where(CasePublication.case_id == case.id))


def open_publication(session: Session, *, actor: Actor, case: PenaltyCase) -> CasePublication:
    """Open the publication row when the decision is made (idempotent): whether the field
    publishes and by which day."""
    row = get_publication(session, case)
    if row is not None:
        return row
    if not publishable(case):
        raise Conflict("只有普通程序作出的行政处罚决定需要公开。")
    assert case.decided_on is not None
    clock = PUBLISH_CLOCK
    required = bool(clock.entry(case.decided_on, case.region_code, case.field)["publish"])
    due = clock.field_deadline(case.decided_on, case.region_code, case.field)
    row = CasePublication(
        case_id=case.id,
        subject_id=case.subject_id,
        region_code=case.region_code,
        field=case.field,
        year=case.decided_on.year,
        decided_on=case.decided_on,
        required=required,
        due_on=due if required else None,
        withdraw_reason="",
        created_at=utcnow(),
    )
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="case.publication_open",
        obj=row,
        summary=f"{case.number}："
        + (f"处罚决定应于{due.isoformat()}前公开" if required else "本领域处罚决定不要求主动公开"),
        region_code=case.region_code,
    )
    return row


def publish(session: Session, *, actor: Actor, case: PenaltyCase, on: dt.date) -> Done:
    """公开: the decision goes on the public portal (D20 WARN when after the due day)."""
    check_handle(actor, case)
    if case.decided_on is not None and on < case.decided_on:
        raise InvalidInput("公开日期早于决定日期。", field="on")
    row = open_publication(session, actor=actor, case=case)
    if row.published_on is not None:
        raise Conflict("该处罚决定已经公开。")
    warnings: list[Violation] = []
    if row.due_on is not None and on > row.due_on:
        warnings.append(
            catalogue.D20.violation(
                f"处罚决定应于{row.due_on.isoformat()}前公开，实际{on.isoformat()}公开。",
                field="on",
                deadline=row.due_on.isoformat(),
            )
        )
    row.published_on, row.published_by_id = on, actor.user_id
    note = "公开行政处罚决定" + "".join(f"；{w.detail}" for w in warnings)
    log_step(
        session, actor=actor, case=case, action="publish", day=on, note=note,
        before=audit.snapshot(case), covers=[row],
    )  # fmt: skip
    return Done(case, warnings)


def _published(session: Session, case: PenaltyCase) -> CasePublication:
    row = get_publication(session, case)
    if row is None or row.published_on is None:
        raise Conflict("该处罚决定尚未公开。")
    if row.withdrawn_on is not None:
        raise Conflict("该处罚决定的公开信息已经撤回。")
    return row


def record_change(
    session: Session, *, actor: Actor, case: PenaltyCase, changed_on: dt.date, reason: str
) -> CasePublication:
    """The published decision was changed, revoked, or found unlawful or void: the
    three-working-day withdrawal clock starts."""
    check_handle(actor, case)
    row = _published(session, case)
    why = text(reason, field="reason", label="变更、撤销的情况", required=True)
    if changed_on < row.decided_on:
        raise InvalidInput("变更、撤销日期早于决定日期。", field="changed_on")
    row.changed_on = changed_on
    row.withdraw_due_on = WITHDRAW_CLOCK.deadline(changed_on, case.region_code)
    row.withdraw_reason = why
    log_step(
        session, actor=actor, case=case, action="publication_change", day=changed_on,
        note=f"处罚决定被变更、撤销：{why}，应于{row.withdraw_due_on.isoformat()}前撤回公开信息",
        before=audit.snapshot(case), covers=[row],
    )  # fmt: skip
    return row


def withdraw_publication(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    reason: str,
    on: dt.date,
    changed_on: dt.date | None = None,
) -> Done:
    """撤回: take a published decision off the portal with the reason stated (D20 WARN when
    later than three working days after the change)."""
    check_handle(actor, case)
    row = _published(session, case)
    why = text(reason, field="reason", label="撤回理由", required=True)
    changed = row.changed_on or changed_on or on
    if on < changed:
        raise InvalidInput("撤回日期早于决定变更、撤销的日期。", field="on")
    if row.changed_on is None:
        row.changed_on = changed
        row.withdraw_due_on = WITHDRAW_CLOCK.deadline(changed, case.region_code)
    assert row.withdraw_due_on is not None
    warnings: list[Violation] = []
    if on > row.withdraw_due_on:
        warnings.append(
            catalogue.D20.violation(
                f"应于{row.withdraw_due_on.isoformat()}前撤回公开信息，实际{on.isoformat()}撤回。",
                field="on",
                deadline=row.withdraw_due_on.isoformat(),
            )
        )
    row.withdrawn_on, row.withdraw_reason = on, why
    note = f"撤回公开的处罚决定：{why}" + "".join(f"；{w.detail}" for w in warnings)
    log_step(
        session, actor=actor, case=case, action="unpublish", day=on, note=note,
        before=audit.snapshot(case), covers=[row],
    )  # fmt: skip
    return Done(case, warnings)


def _deadline(
    clock: Clock, start: dt.date, due: dt.date, who: str, met_on: dt.date | None, today: dt.date
) -> Deadline:
    left = (
        counted_between(today, due, WORKING)
        if today <= due
        else -counted_between(due, today, WORKING)
    )
    return Deadline(clock.name, clock.rule, start, due, who, WORKING, met_on, left)


def publication_deadlines(session: Session, case: PenaltyCase, today: dt.date) -> list[Deadline]:
    """D20's deadlines of the case so far: publication (when its field publishes) and, once
    the decision was changed or revoked, the withdrawal — for the timeline and the sweep."""
    row = get_publication(session, case)
    if row is None:
        if not publishable(case):
            return []
        assert case.decided_on is not None
        clock = PUBLISH_CLOCK
        if not clock.entry(case.decided_on, case.region_code, case.field)["publish"]:
            return []
        due = clock.field_deadline(case.decided_on, case.region_code, case.field)
        return [_deadline(clock, case.decided_on, due, _WHO_PUBLISH, None, today)]
    out: list[Deadline] = []
    if row.required and row.due_on is not None:
        out.append(
            _deadline(
                PUBLISH_CLOCK, row.decided_on, row.due_on, _WHO_PUBLISH, row.published_on, today
            )
        )
    if row.changed_on is not None and row.withdraw_due_on is not None:
        who = "执法主体（撤回公开信息并说明理由）"
        out.append(
            _deadline(
                WITHDRAW_CLOCK, row.changed_on, row.withdraw_due_on, who, row.withdrawn_on, today
            )
        )
    return out


_WHO_PUBLISH = "执法主体（公开处罚决定）"


# --- the public portal (no sign-in) ---------------------------------------------------------


@dataclass(frozen=True)
class PublicDecision:
    """A published decision as anyone may read it: a person named by surname + 某, no ID."""

    id: int
    number: str
    organ: str
    region_code: str
    field: str
    decided_on: dt.date
    published_on: dt.date
    party: str
    facts: str
    provisions_breached: str
    provisions_applied: str
    penalty: str


def public_party(case: PenaltyCase) -> str:
    """The party as the portal names it: an organisation in full, a person as 张某."""
    if case.party_kind == PartyKind.PERSON:
        return (case.person_name[:1] or "") + "某"
    return case.party_name


def _scrub(value: str, case: PenaltyCase) -> str:
    """Free text with a person party's name and ID number taken out."""
    if case.party_kind != PartyKind.PERSON:
        return value
    if case.person_ric:
        value = value.replace(case.person_ric, "（身份证号码已隐去）")
    if case.person_name:
        value = value.replace(case.person_name, public_party(case))
    return value


def _public(
    row: CasePublication, case: PenaltyCase, organ: str, number: str | None
) -> PublicDecision:
    assert row.published_on is not None
    return PublicDecision(
        id=row.id,
        number=number or case.number,
        organ=organ,
        region_code=row.region_code,
        field=row.field,
        decided_on=row.decided_on,
        published_on=row.published_on,
        party=public_party(case),
        facts=_scrub(case.facts, case),
        provisions_breached=case.provisions_breached,
        provisions_applied=case.provisions_applied,
        penalty=penalty_text(case.decision_kinds, case.fine_fen, case.confiscation_fen),
    )


def _public_stmt() -> Select[CasePublication, PenaltyCase, str, str | None]:
    return (
        select(CasePublication, PenaltyCase, EnforcementSubject.name, CaseDocument.number)
        .join(PenaltyCase, PenaltyCase.id == CasePublication.case_id)
        .join(EnforcementSubject, EnforcementSubject.id == CasePublication.subject_id)
        .outerjoin(
            CaseDocument,
            (CaseDocument.case_id == CasePublication.case_id) & (CaseDocument.kind == "decision"),
        )
        .where(CasePublication.published_on.is_not(None), CasePublication.withdrawn_on.is_(None))
    )


def public_decisions(
    session: Session,
    *,
    region: str = "",
    field: str = "",
    year: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[PublicDecision]:
    """Published decisions still in force, newest first, filtered by region, field, year."""
    stmt = _public_stmt()
    if region.strip():
        try:
            prefix = region_scope_prefix(validate_region_code(region.strip()))
        except IdentifierError as exc:
            raise InvalidInput(exc.reason, field="region") from exc
        stmt = stmt.where(region_in_scope(CasePublication.region_code, prefix))
    if field.strip():
        stmt = stmt.where(CasePublication.field == field.strip())
    if year:
        stmt = stmt.where(CasePublication.year == year)
    stmt = stmt.order_by(CasePublication.published_on.desc(), CasePublication.id.desc())
    found = paginate_rows(session, stmt, page, per_page)
    return found.map(lambda r: _public(r[0], r[1], r[2], r[3]))


def public_decision(session: Session, *, publication_id: int) -> PublicDecision:
    """One published decision still in force (NotFound once withdrawn)."""
    row = session.execute(_public_stmt().where(CasePublication.id == publication_id)).first()
    if row is None:
        raise NotFound("该处罚决定未公开或已撤回。")
    return _public(row[0], row[1], row[2], row[3])


def open_data_decisions(
    session: Session,
    *,
    region_prefix: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[PublicDecision]:
    """Published decisions still in force in id order, by region prefix and publication date
    (the open data, ``reports.open_data``; withdrawn ones drop out as on the portal)."""
    stmt = _public_stmt()
    if region_prefix:
        stmt = stmt.where(region_in_scope(CasePublication.region_code, region_prefix))
    if since:
        stmt = stmt.where(CasePublication.published_on >= since)
    if until:
        stmt = stmt.where(CasePublication.published_on <= until)
    found = paginate_rows(session, stmt.order_by(CasePublication.id), page, per_page)
    return found.map(lambda r: _public(r[0], r[1], r[2], r[3]))
