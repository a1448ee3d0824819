"""The dashboard's indicators against a small data set computed by hand (docs/indicators.md).

Dates are the local (Beijing) day each record was finished; the rows are written directly,
as an import would, and the kept figures rebuilt from them.

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
from wurao.core.time import LOCAL_TZ
from wurao.inspections.models import Evaluation, InspectionTask
from wurao.oversight import dashboard, drill_down, indicators
from wurao.registry.models import Enterprise

Y0, Y1 = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A local (Beijing) time of ``day``, as the UTC instant the database stores."""
    return dt.datetime.combine(day, dt.time(hour, minute), LOCAL_TZ).astimezone(dt.UTC)


def done(
    db: Session, ent: Enterprise, subjects: list[object], day: dt.date, **kw: object
) -> InspectionTask:
    return make_task(db, ent, subjects, start=day, finished=at(day), **kw)  # type: ignore[arg-type]


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
        done(db, e1, [a, b], dt.date(2026, 1, 10)),
        done(db, e1, [a], dt.date(2026, 2, 5), method="offsite", outcome="rectify"),
        done(db, e2, [a], dt.date(2026, 2, 20), method="written", outcome="case"),
        done(db, e2, [b], dt.date(2026, 3, 1)),
        done(db, e3, [a], dt.date(2026, 3, 2), status="in_progress", outcome=None),
        make_task(db, e3, [a], start=dt.date(2026, 3, 3), finished=None),
        done(db, e1, [a], dt.date(2025, 3, 1)),
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
    indicators.rebuild(db)
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
    kept = dashboard.kept_subject_rates(db, "330802", Y0, Y1)
    assert kept == {data.a: a, data.b: b}  # the kept figures equal the records' own count
    assert dashboard.kept_subject_rates(db, "330803", Y0, Y1) == {}


def test_an_inspection_is_dated_by_its_local_finishing_day(db: Session, data: Data) -> None:
    a = subject(db, KC_SCJG)
    ent = data.ents[2]
    late_jan = make_task(
        db, ent, [a], start=dt.date(2026, 1, 31), finished=at(dt.date(2026, 1, 31), 23, 30)
    )
    early_feb = make_task(
        db, ent, [a], start=dt.date(2026, 1, 31), finished=at(dt.date(2026, 2, 1), 0, 30)
    )
    assert late_jan.id and early_feb.id
    # both are on 31 January in UTC; in Beijing one is on 1 February
    indicators.rebuild(db)
    assert dashboard.monthly(db, "330802", 2026)[:3] == [2, 3, 1]
    assert dashboard.monthly(db, "330802", 2026, a.id)[:3] == [2, 3, 0]
    jan = dashboard.region_rates(db, "330802", Y0, dt.date(2026, 1, 31))
    assert jan.inspections == 2


def test_monthly_per_enterprise_evaluations(db: Session, data: Data) -> None:
    assert dashboard.monthly(db, "330802", 2026)[:4] == [1, 2, 1, 0]
    assert dashboard.monthly(db, "330802", 2025)[2] == 1
    assert dashboard.monthly(db, "330802", 2026, data.b)[:3] == [1, 0, 1]
    buckets, top = dashboard.per_enterprise(db, "330802", 2026)
    assert buckets == [0, 2, 0, 0, 0]
    assert {(e.id, n) for e, n in top} == {(data.ents[0].id, 2), (data.ents[1].id, 2)}
    ev = dashboard.evaluation_summary(db, "330802", Y0, Y1, 2)
    assert ev.by_rating == (1, 0, 0, 0, 1) and ev.misconduct == 1
    assert (ev.count, ev.mean, ev.low) == (2, 3.0, 1)


def test_drill_down_lists_the_tasks_behind_a_figure(
    db: Session, data: Data, personas: Personas
) -> None:
    sup = personas.supervisor
    found = drill_down.indicator_tasks(db, actor=sup, name="joint", year=2026)
    joint, n = found.items, found.total
    assert n == 1 and joint[0][0].id == data.tasks[0].id and joint[0][2] == 2
    nonsite = drill_down.indicator_tasks(
        db, actor=sup, name="nonsite", year=2026, subject_id=data.a
    ).items
    assert [r[0].id for r in nonsite] == [data.tasks[1].id, data.tasks[2].id]
    feb = drill_down.indicator_tasks(db, actor=sup, name="inspections", year=2026, month=2).items
    assert len(feb) == 2
    found = drill_down.indicator_tasks(
        db, actor=personas.neighbour_supervisor, name="inspections", year=2026
    )
    assert found.total == 0 and found.items == []


def test_dashboard_page_and_export(db: Session, data: Data, client: TestClient) -> None:
    db.commit()
    sign_in(client, "kc_sfj")
    page = client.get("/oversight/dashboard?year=2026")
    assert page.status_code == 200
    assert "/static/vendor/echarts.min.js" in page.text and "指标口径" in page.text
    assert "25.0%（1/4）" in page.text
    assert "+300.00%" in page.text  # 4 inspections against 1 in the same period last year
    drill = client.get("/oversight/indicator/joint?year=2026")
    assert drill.status_code == 200 and f"/tasks/{data.tasks[0].id}" in drill.text
    # no year means this year; a year outside 2000–2100 is a field error, not an empty page
    assert client.get("/oversight/indicator/joint").status_code == 200
    for year in ("0", "5", "2101"):
        bad = client.get(f"/oversight/indicator/joint?year={year}")
        assert bad.status_code == 422 and "年度" in bad.text
    xlsx = client.get("/oversight/dashboard.xlsx?year=2026")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames[:5] == ["月度检查", "执法主体", "企业检查次数", "企业评价", "未办结预警"]
    assert [c.value for c in wb["月度检查"][3]] == [2, 2, 0]
    client.cookies.clear()
    sign_in(client, "kc_scjg_admin")
    assert client.get("/oversight/dashboard").status_code == 403


def test_a_subjects_own_dashboard(
    db: Session, data: Data, personas: Personas, client: TestClient
) -> None:
    from wurao.core.errors import NotFound
    from wurao.oversight import subject_dashboard

    sup = personas.supervisor
    a = subject_dashboard.build(db, actor=sup, subject_id=data.a, year=2026)
    assert (a.total.inspections, a.total.joint, a.total.nonsite, a.total.problem) == (3, 1, 2, 2)
    assert a.last_total.inspections == 1  # T7, 2025-03-01, within the same period last year
    assert a.months[:3] == [1, 2, 0] and a.last_months[2] == 1
    assert a.per_enterprise == [1, 1, 0, 0, 0]  # ent2 once (T3), ent1 twice (T1, T2)
    assert a.evaluations == dashboard.Evaluations((1, 0, 0, 0, 1), 1, 2)
    b = subject_dashboard.build(db, actor=sup, subject_id=data.b, year=2026)
    assert b.evaluations == dashboard.Evaluations((0, 0, 0, 0, 1), 0, 2)
    assert (b.evaluations.count, b.evaluations.mean, b.evaluations.low) == (1, 5.0, 0)
    with pytest.raises(NotFound):
        subject_dashboard.build(db, actor=personas.neighbour_supervisor, subject_id=data.a)
    db.commit()
    sign_in(client, "kc_sfj")
    page = client.get(f"/oversight/dashboard?year=2026&subject={data.a}")
    assert page.status_code == 200 and "返回全辖区看板" in page.text
    assert f"/oversight/indicator/joint?year=2026&subject={data.a}" in page.text
    xlsx = client.get(f"/oversight/dashboard.xlsx?year=2026&subject={data.a}")
    assert xlsx.status_code == 200 and f"subject-{data.a}" in xlsx.headers["content-disposition"]


def test_drill_down_totals_from_the_kept_figures_equal_the_records(
    db: Session, data: Data, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    sup = personas.supervisor
    cases: list[dict[str, object]] = [
        {"name": n, "year": y} for n in dashboard.INDICATORS for y in (2025, 2026)
    ]
    cases += [
        {"name": "joint", "year": 2026, "subject_id": data.a},
        {"name": "onsite", "year": 2026, "subject_id": data.b, "month": 3},
        {"name": "problem", "year": 2026, "month": 2},
        {"name": "inspections", "year": 2025, "until": dt.date(2025, 2, 1)},
        {"name": "inspections", "year": 2026, "enterprise_id": data.ents[0].id},
        {"name": "nonsite", "year": 2026, "subject_id": data.a, "until": dt.date(2026, 2, 10)},
    ]
    kept = [drill_down.indicator_tasks(db, actor=sup, **c).total for c in cases]  # type: ignore[arg-type]
    monkeypatch.setattr(drill_down, "kept_total", lambda *a, **k: None)
    counted = [drill_down.indicator_tasks(db, actor=sup, **c).total for c in cases]  # type: ignore[arg-type]
    assert kept == counted
    assert kept[:2] == [1, 4]  # inspections: 2025 T7; 2026 T1-T4
