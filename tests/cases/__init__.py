"""Builders shared by the penalty-case tests: the 柯城区市场监管局 subject with three certified
officers (two investigate, one may preside over a hearing), the enterprise persona as party,
and a case opened, filed and given evidence on fixed 2026 dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections import KC_SCJG, add_officer, subject
from wurao.cases import investigation, service
from wurao.cases.models import PenaltyCase
from wurao.cases.service import CaseData
from wurao.registry.models import EnforcementSubject, Enterprise, Officer

PERSONA_USCC = "91330802MA2A00001N"  # the enterprise persona's own company
FOUND = dt.date(2026, 9, 1)
FILED = dt.date(2026, 9, 2)
SHA = "ab" * 32


@dataclass
class Setup:
    subject: EnforcementSubject
    officers: list[Officer]  # the two investigators
    presiding: Officer  # a third officer, not on the case
    enterprise: Enterprise


def setup(db: Session) -> Setup:
    s = subject(db, KC_SCJG)
    officers = [add_officer(db, s), add_officer(db, s)]
    presiding = add_officer(db, s)
    ent = db.scalar(select(Enterprise).where(Enterprise.uscc == PERSONA_USCC))
    assert ent is not None
    db.flush()
    return Setup(s, officers, presiding, ent)


def data(w: Setup, **changes: object) -> CaseData:
    values: dict[str, object] = {
        "origin": "own",
        "party_kind": "enterprise",
        "enterprise_id": w.enterprise.id,
        "act_on": dt.date(2026, 8, 20),
        "found_on": FOUND,
        "facts": "当事人销售不合格产品。",
        "provisions_breached": "《中华人民共和国产品质量法》第四十九条",
        "provisions_applied": "《中华人民共和国产品质量法》第四十九条",
        "officer_ids": tuple(o.id for o in w.officers),
    }
    values.update(changes)
    return CaseData(**values)  # type: ignore[arg-type]


def opened(db: Session, p: Personas, w: Setup, **changes: object) -> PenaltyCase:
    return service.open_case(db, actor=p.officer, data=data(w, **changes), today=FOUND)


def filed(db: Session, p: Personas, w: Setup, **changes: object) -> PenaltyCase:
    """A case opened, filed on FILED and holding one piece of evidence."""
    case = opened(db, p, w, **changes)
    service.file_case(db, actor=p.officer, case=case, on=FILED)
    investigation.add_evidence_external(
        db, actor=p.officer, case=case, filename="现场照片", sha256=SHA, uri="s3://evidence/1"
    )
    return case
