"""What the 异地检查批准 form offers instead of typed codes (issue 19 item 1).

The approving organ is chosen from the organs above the subject — the same field's organs of
the registry in each higher region, and each higher region's people's government — and the
enterprises are picked from a search of the subject's province outside its own area. The
service (``cross_region.record_approval``) still checks whatever is submitted: that the organ
is a common superior of the subject and each enterprise (A8), and that the enterprises lie
outside the subject's area.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import Forbidden, InvalidInput, NotFound
from wurao.core.ids import IdentifierError, region_scope_prefix, validate_uscc
from wurao.inspections.origin_choices import Choice
from wurao.registry.models import EnforcementSubject, Enterprise, Region

LIMIT = 20
MIN_QUERY = 2  # characters of a name before the search answers
ORGAN_FIELD = "organ"


@dataclass(frozen=True)
class Organ:
    """An organ that may approve: its key in the form, name and region."""

    key: str
    name: str
    region_code: str
    region_name: str


def approver_subject(session: Session, actor: Actor) -> EnforcementSubject:
    """The actor's subject, for whom an approval is recorded."""
    actor.require(Permission.UNPLANNED_APPROVE)
    if actor.subject_id is None:
        raise Forbidden("只有执法主体的管理员可以登记异地检查批准。")
    subject = session.get(EnforcementSubject, actor.subject_id)
    if subject is None:
        raise NotFound("执法主体不存在。")
    return subject


def _higher_regions(session: Session, code: str) -> list[Region]:
    """The regions above ``code``, nearest first (衢州市, then 浙江省 for 柯城区)."""
    out: list[Region] = []
    region = session.get(Region, code)
    while region is not None and region.parent_code and len(out) < 4:
        region = session.get(Region, region.parent_code)
        if region is not None:
            out.append(region)
    return out


def organ_choices(session: Session, *, actor: Actor) -> list[Organ]:
    """The organs above the actor's subject: its field's organs in each higher region, then
    that region's people's government, nearest region first."""
    subject = approver_subject(session, actor)
    regions = _higher_regions(session, subject.region_code)
    if not regions:
        return []
    organs = session.scalars(
        select(EnforcementSubject)
        .where(
            EnforcementSubject.region_code.in_([r.code for r in regions]),
            EnforcementSubject.field == subject.field,
            EnforcementSubject.kind == "organ",
        )
        .order_by(EnforcementSubject.name)
    ).all()
    out: list[Organ] = []
    for region in regions:
        out += [
            Organ(f"s{o.id}", o.name, region.code, region.name)
            for o in organs
            if o.region_code == region.code
        ]
        out.append(Organ(f"r{region.code}", f"{region.name}人民政府", region.code, region.name))
    return out


def organ_of(session: Session, *, actor: Actor, key: str) -> Organ:
    """The chosen organ (InvalidInput when nothing or something not offered was chosen)."""
    key = key.strip()
    if not key:
        raise InvalidInput("请选择批准机关。", field=ORGAN_FIELD)
    for organ in organ_choices(session, actor=actor):
        if organ.key == key:
            return organ
    raise InvalidInput("所选批准机关不是本主体的上级机关，请重新选择。", field=ORGAN_FIELD)


def _choice(ent: Enterprise, regions: dict[str, str]) -> Choice:
    where = regions.get(ent.region_code[:6], ent.region_code)
    return Choice(ent.id, ent.name, f"{ent.uscc} · {where}")


def _region_names(session: Session, enterprises: Sequence[Enterprise]) -> dict[str, str]:
    codes = {e.region_code[:6] for e in enterprises}
    if not codes:
        return {}
    rows = session.execute(select(Region.code, Region.name).where(Region.code.in_(codes)))
    return {code: name for code, name in rows}


def enterprise_choices(
    session: Session, *, actor: Actor, q: str = "", picked: Sequence[int] = ()
) -> list[Choice]:
    """The picked enterprises first, then the province's enterprises outside the subject's
    area whose name contains ``q`` (or whose 统一社会信用代码 is ``q``)."""
    subject = approver_subject(session, actor)
    own = region_scope_prefix(subject.region_code)
    outside = ~Enterprise.region_code.startswith(own)
    chosen = list(
        session.scalars(
            select(Enterprise)
            .where(Enterprise.id.in_(list(picked)[:LIMIT]), outside)
            .order_by(Enterprise.name)
        )
    )
    found: list[Enterprise] = []
    q = q.strip()
    if len(q) >= MIN_QUERY:
        try:
            match = Enterprise.uscc == validate_uscc(q, allow_bad_check=True)
        except IdentifierError:
            match = Enterprise.name.contains(q, autoescape=True)
        stmt = select(Enterprise).where(
            match, outside, Enterprise.region_code.startswith(subject.region_code[:2])
        )
        if chosen:
            stmt = stmt.where(Enterprise.id.not_in([e.id for e in chosen]))
        found = list(session.scalars(stmt.order_by(Enterprise.name).limit(LIMIT)))
    rows = chosen + found
    regions = _region_names(session, rows)
    return [_choice(e, regions) for e in rows]


def enterprise_ids_of(session: Session, *, actor: Actor, usccs: Sequence[str]) -> list[int]:
    """The enterprises a link names by 统一社会信用代码 (a task page's 登记异地检查批准), to show
    them already picked; codes not in the registry are left out."""
    approver_subject(session, actor)
    wanted = set()
    for raw in usccs:
        try:
            wanted.add(validate_uscc(raw, allow_bad_check=True))
        except IdentifierError:
            continue
    if not wanted:
        return []
    return list(session.scalars(select(Enterprise.id).where(Enterprise.uscc.in_(wanted))))
