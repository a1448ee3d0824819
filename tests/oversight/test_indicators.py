"""The dashboard's indicators against a small data set computed by hand (docs/indicators.md).

    T1 ent1 [A, B] onsite  none    2026-01-10  joint
    T2 ent1 [A]    offsite rectify 2026-02-05  non-site, problem
    T3 ent2 [A]    written case    2026-02-20  non-site, problem
    T4 ent2 [B]    onsite  none    2026-03-01
    T5 ent3 [A]    in progress, no record      not an inspection
    T6 ent3 [A]    done, record not finished   not an inspection
    T7 ent1 [A]    onsite  none    2025-03-01  last year

Region 2026: 4 inspections; joint 1/4; non-site 2/4; problems 2/4.
A: 3 (T1–T3); joint 1/3; non-site 2/3; problems 2/3.  B: 2 (T1, T4); joint 1/2; 0; 0.
Per enterprise 2026: ent1 2, ent2 2 → buckets [0, 2, 0, 0, 0].
Evaluations: T1 rated 5, T2 rated 1 with misconduct → 2, mean 3.0, low 1, misconduct 1.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections import add_enterprise, subject
from tests.oversight.test_rules import KC_SCJG, KC_YJJ, NOW, make_task
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit
from wurao.inspections.models import Evaluation, InspectionTask
from wurao.oversight import dashboard
from wurao.registry.models import Enterprise

Y0, Y1 = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


@dataclass
class Data:
    tasks: list[InspectionTask]
    ents: list[Enterprise]
    a: int
    b: int


@pytest.fixture
def data(db: Session) -> Data:
    a, b = subject(db, KC_SCJG), subject(db, KC_YJJ)
    e1, e2, e3 = add_enterprise(db), add_enterprise(db), add_enterprise(db)
    t = [
        make_task(db, e1, [a, b], start=dt.date(2026, 1, 10)),
        make_task(db, e1, [a], start=dt.date(2026, 2, 5), method="offsite", outcome="rectify"),
        make_task(db, e2, [a], start=dt.date(2026, 2, 20), method="written", outcome="case"),
        make_task(db, e2, [b], start=dt.date(2026, 3, 1)),
        make_task(db, e3, [a], start=dt.date(2026, 3, 2), status="in_progress", outcome=None),
        make_task(db, e3, [a], start=dt.date(2026, 3, 3), finished=None),
        make_task(db, e1, [a], start=dt.date(2025, 3, 1)),
    ]
    for task, rating, misconduct in ((t[0], 5, ""), (t[1], 1, "repeated")):
        ev = Evaluation(
            task_id=task.id,
            token_hash=f"x{task.id}",
            issued_at=NOW,
            rating=rating,
            misconduct=misconduct,
            submitted_at=NOW,
        )
        db.add(ev)
        audit.record(db, actor=SYSTEM_ACTOR, action="t", obj=ev)
    return Data(t, [e1, e2, e3], a.id, b.id)


def test_region_rates(db: Session, data: Data) -> None:
    r = dashboard.region_rates(db, "330802", Y0, Y1)
    assert (r.inspections, r.joint, r.nonsite, r.problem, r.onsite) == (4, 1, 2, 2, 2)
    assert (r.joint_rate, r.nonsite_share, r.problem_rate) == (0.25, 0.5, 0.5)
    last = dashboard.region_rates(db, "330802", dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert last.inspections == 1
    assert dashboard.region_rates(db, "330803", Y0, Y1).inspections == 0


def test_subject_rates(db: Session, data: Data) -> None:
    rates = dashboard.subject_rates(db, Y0, Y1, "330802")
    a, b = rates[data.a][1], rates[data.b][1]
    assert (a.inspections, a.joint, a.nonsite, a.problem) == (3, 1, 2, 2)
    assert (b.inspections, b.joint, b.nonsite, b.problem) == (2, 1, 0, 0)
    assert b.joint_rate == 0.5


def test_monthly_per_enterprise_evaluations(db: Session, data: Data) -> None:
    assert dashboard.monthly(db, "330802", 2026)[:4] == [1, 2, 1, 0]
    assert dashboard.monthly(db, "330802", 2025)[2] == 1
    assert dashboard.monthly(db, "330802", 2026, data.b)[:3] == [1, 0, 1]
    buckets, top = dashboard.per_enterprise(db, "330802", Y0, Y1)
    assert buckets == [0, 2, 0, 0, 0]
    assert {(e.id, n) for e, n in top} == {(data.ents[0].id, 2), (data.ents[1].id, 2)}
    ev = dashboard.evaluation_summary(db, "330802", Y0, Y1)
    assert ev == {"count": 2, "mean": 3.0, "low": 1, "misconduct": 1}


def test_drill_down_lists_the_tasks_behind_a_figure(
    db: Session, data: Data, personas: Personas
) -> None:
    sup = personas.supervisor
    joint, n = dashboard.indicator_tasks(db, actor=sup, name="joint", year=2026)
    assert n == 1 and joint[0][0].id == data.tasks[0].id and joint[0][2] == 2
    nonsite, _ = dashboard.indicator_tasks(
        db, actor=sup, name="nonsite", year=2026, subject_id=data.a
    )
    assert [r[0].id for r in nonsite] == [data.tasks[1].id, data.tasks[2].id]
    feb, _ = dashboard.indicator_tasks(db, actor=sup, name="inspections", year=2026, month=2)
    assert len(feb) == 2
    neighbour, n = dashboard.indicator_tasks(
        db, actor=personas.neighbour_supervisor, name="inspections", year=2026
    )
    assert n == 0 and neighbour == []


def test_dashboard_page_and_export(db: Session, data: Data, client: TestClient) -> None:
    db.commit()
    sign_in(client, "kc_sfj")
    page = client.get("/oversight/dashboard?year=2026")
    assert page.status_code == 200
    assert "/static/vendor/echarts.min.js" in page.text and "指标口径" in page.text
    assert "25.0%（1/4）" in page.text
    drill = client.get("/oversight/indicator/joint?year=2026")
    assert drill.status_code == 200 and f"/tasks/{data.tasks[0].id}" in drill.text
    xlsx = client.get("/oversight/dashboard.xlsx?year=2026")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["月度检查", "执法主体", "企业检查次数", "企业评价", "未办结预警"]
    assert [c.value for c in wb["月度检查"][3]] == [2, 2, 0]
    client.cookies.clear()
    sign_in(client, "kc_scjg_admin")
    assert client.get("/oversight/dashboard").status_code == 403
