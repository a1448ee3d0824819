"""The demo's clues (demo/loop_clues.py): every channel and every state, written through the
services; the subject administrator has routed clues waiting and the supervisor has clues to
route and to close."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from wurao.core import audit
from wurao.core.time import local_today
from wurao.demo import loop_clues
from wurao.oversight.models import Clue, ClueEvent


def test_demo_clues_cover_channels_and_states(db: Session, personas: Personas) -> None:
    line = loop_clues.generate(db)
    assert line.startswith("监督线索")
    clues = db.scalars(select(Clue).where(Clue.region_code.startswith("330802"))).all()
    sources = {c.source for c in clues}
    for channel in ("hotline_12345", "hotline_12348", "api", "court", "procuratorate",
                    "petition", "media", "visit"):  # fmt: skip
        assert channel in sources, channel
    states = {c.status for c in clues}
    assert {"new", "handling", "routed", "answered", "closed"} <= states
    today = local_today()
    mine = personas.agency_admin.subject_id
    assert any(c.status == "routed" and c.subject_id == mine for c in clues)
    assert any(c.status == "routed" and c.due_on and c.due_on < today and c.supervised_times
               for c in clues)  # fmt: skip
    assert any(c.status == "closed" and c.follow_up for c in clues)
    merged = db.scalars(select(ClueEvent).where(ClueEvent.action == "merge")).all()
    assert len(merged) == 1
    assert audit.verify_chain(db).ok
    db.commit()  # every row written has its audit entry
