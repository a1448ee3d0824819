"""The demo's fine revenue: 柯城区市场监管局's last year imported low, this year's 不明码标价 fines
mostly of one amount at the benchmark's top and decided at month-end, and one collected on the
spot — so that the sweep raises F1, F2 MAX-PENALTY, F2 SAME-AMOUNT, F2 MONTH-END and D15."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from wurao.core import rules as catalogue
from wurao.core.config import get_settings
from wurao.demo.cases import generate_cases
from wurao.demo.city import generate_city
from wurao.demo.discretion import generate_discretion
from wurao.demo.fines import generate
from wurao.demo.history import generate_history
from wurao.oversight.engine import sweep
from wurao.oversight.fines.models import FineRevenueMonth

TODAY = dt.date(2026, 12, 5)
RULES = (
    catalogue.F1_FINE_GROWTH,
    catalogue.F2_MAX_PENALTY,
    catalogue.F2_SAME_AMOUNT,
    catalogue.F2_MONTH_END,
    catalogue.D15,
)


@pytest.fixture(scope="module")
def demo(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """The demo city with its cases, rolled back at the end."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WURAO_VAR_DIR", str(tmp_path_factory.mktemp("fines-var")))
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


def test_demo_fines_raise_every_fine_rule(demo: Session) -> None:
    summary = generate(demo, today=TODAY)
    assert "导入" in summary and "案件22件" in summary and "跳过" not in summary, summary
    assert demo.scalar(select(func.count()).select_from(FineRevenueMonth)) == 12
    result = sweep(demo, today=TODAY, only=[r.id for r in RULES])
    for rule in RULES:
        assert result.raised[rule.id] >= 1, (rule.id, result.raised)
    assert generate(demo, today=TODAY) == "演示罚没收入已存在，跳过生成"
