"""The demo's major-decision filings: the demo cases' qualifying decisions open them through
the ``case.decided`` event, ``demo.filings`` moves them on, and the sweep raises D25 for the
one never filed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from wurao.core import rules as catalogue
from wurao.core.config import get_settings
from wurao.demo.cases import generate_cases
from wurao.demo.city import generate_city
from wurao.demo.discretion import generate_discretion
from wurao.demo.filings import generate
from wurao.demo.history import generate_history
from wurao.oversight.engine import sweep
from wurao.oversight.filings import queries
from wurao.oversight.filings.models import MajorFiling
from wurao.oversight.models import Alert

TODAY = dt.date(2026, 11, 23)
D25 = catalogue.D25.id


@pytest.fixture(scope="module")
def demo(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """The demo city with its cases and filings, rolled back at the end."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WURAO_VAR_DIR", str(tmp_path_factory.mktemp("filings-var")))
        get_settings.cache_clear()
        conn = engine.connect()
        trans = conn.begin()
        db = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            generate_city(db)
            generate_history(db, today=TODAY)
            generate_discretion(db)
            generate_cases(db, today=TODAY)
            yield db
        finally:
            db.close()
            trans.rollback()
            conn.close()
            get_settings.cache_clear()


def test_demo_filings_late_returned_and_refiled(demo: Session) -> None:
    opened = list(demo.scalars(select(MajorFiling).order_by(MajorFiling.decided_on)))
    assert len(opened) == 2 and {f.status for f in opened} == {"due"}
    assert all(f.case_id is not None and "较大数额" in f.grounds for f in opened)
    summary = generate(demo)
    assert "逾期未报备 1 件" in summary and "重新报备待审查 1 件" in summary
    late, refiled = opened
    assert (late.status, refiled.status, refiled.returned_times) == ("due", "refiled", 1)
    actions = [e.action for e in queries.history(demo, filing=refiled)]
    assert actions == ["open", "file", "return", "refile"]
    assert sweep(demo, today=TODAY, only=[D25]).raised[D25] == 1
    alert = demo.scalar(select(Alert).where(Alert.rule_id == D25))
    assert alert is not None and alert.dedup_key == f"D25:{late.id}"
