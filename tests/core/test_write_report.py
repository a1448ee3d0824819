"""The public report's write judges its own clue (#18): it raises the F2 alert for the clue
just reported, as before, without reading every other open clue; those stay the sweep's."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.oversight.test_clues import _report
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit
from wurao.core.time import utcnow
from wurao.oversight import engine, service
from wurao.oversight.models import Alert, Clue


def _alert_keys(db: Session) -> set[str]:
    return set(db.scalars(select(Alert.dedup_key).where(Alert.rule_id == "F2 CODELESS-REPORT")))


def test_a_report_raises_the_alert_for_its_own_clue(db: Session) -> None:
    first = service.report_codeless(db, report=_report())
    second = service.report_codeless(db, report=_report(description="又来了一次。"))
    keys = _alert_keys(db)
    assert {f"CLUE:{first.id}", f"CLUE:{second.id}"} <= keys


def test_other_open_clues_are_left_to_the_sweep(db: Session) -> None:
    older = Clue(
        source="codeless_report",
        region_code="330803",
        enterprise_name="某企业",
        description="导入的旧举报",
        created_at=utcnow(),
        status="new",
    )
    db.add(older)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="t", obj=older)
    reported = service.report_codeless(db, report=_report())
    keys = _alert_keys(db)
    assert f"CLUE:{reported.id}" in keys and f"CLUE:{older.id}" not in keys
    engine.sweep(db, only=["F2 CODELESS-REPORT"])
    assert f"CLUE:{older.id}" in _alert_keys(db)
