"""The dashboard's cases, seizures, filings and outcome indicators (docs/indicators.md "Cases,
seizures and filings" and "Outcome indicators"): figures on constructed data against hand
counts, the drill-down links on the page and in the export, and a statement count that does not
grow with the data."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.inspections import add_enterprise, add_item, subject
from tests.oversight.test_fines import add_case
from tests.oversight.test_indicators import at, done
from tests.oversight.test_rules import KC_SCJG, KC_YJJ
from tests.web.test_query_counts import queries_for
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.cases.coercion.models import CoerciveMeasure
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.time import local_today, utcnow
from wurao.inspections.models import Evaluation, TaskItem
from wurao.oversight import dashboard_cases, dashboard_outcomes
from wurao.oversight.filings.models import MajorFiling
from wurao.oversight.models import Alert
from wurao.oversight.rectification.models import RectificationItem
from wurao.registry.models import EnforcementSubject

D = dt.date
NOW_P = (D(2026, 1, 1), D(2026, 6, 30))
LAST_P = (D(2025, 1, 1), D(2025, 6, 30))
PERIODS = (NOW_P, LAST_P)
_n = itertools.count(1)


def _keep(db: Session, obj: object) -> None:
    db.add(obj)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="t", obj=obj)


def measure(db: Session, s: EnforcementSubject, starts: D, ends: D, **kw: object) -> None:
    n = next(_n)
    _keep(
        db,
        CoerciveMeasure(
            number=f"测试扣字〔2026〕{n}号",
            kind="detention",
            subject_id=s.id,
            region_code=s.region_code,
            party_name=f"企业{n}",
            reason="r",
            basis="b",
            status=kw.pop("status", "in_force"),
            starts_on=starts,
            ends_on=ends,
            created_at=utcnow(),
            **kw,
        ),
    )


def filing(db: Session, s: EnforcementSubject, decided: D, due: D, **kw: object) -> None:
    _keep(
        db,
        MajorFiling(
            region_code=s.region_code,
            subject_id=s.id,
            kind="penalty",
            source_id=next(_n),
            title="t",
            decided_on=decided,
            due_on=due,
            created_at=utcnow(),
            **kw,
        ),
    )


def rect(db: Session, s: EnforcementSubject, due: D, answered: D, closed: D) -> None:
    _keep(
        db,
        RectificationItem(
            region_code=s.region_code,
            subject_id=s.id,
            source_kind="alert",
            source_id=next(_n),
            title="t",
            status="accepted",
            opened_on=due - dt.timedelta(days=20),
            due_on=due,
            answered_at=at(answered),
            closed_at=at(closed),
        ),
    )


def test_cases_measures_and_filings_by_subject(db: Session) -> None:
    a, b = subject(db, KC_SCJG), subject(db, KC_YJJ)
    add_case(db, a, fine_yuan=100, decided_on=D(2026, 3, 1))  # filed 1-31, decided 3-1
    add_case(db, a, fine_yuan=100, decided_on=D(2026, 8, 1))  # filed 7-3: after the period
    add_case(db, b, fine_yuan=100, decided_on=D(2025, 5, 1))  # last year: filed and decided
    c = add_case(db, a, fine_yuan=100, decided_on=D(2026, 2, 1))
    c.closed_on = D(2026, 2, 10)
    _keep(
        db,
        Alert(
            rule_id=catalogue.F5_CASE_OVERDUE.id,
            dedup_key="F5:x:D3",
            severity="WARN",
            title="t",
            detail="d",
            source="s",
            region_code=b.region_code,
            subject_id=b.id,
            created_at=utcnow(),
        ),
    )
    measure(db, a, D(2026, 6, 20), D(2026, 7, 19))  # held 10 days on 6-30
    measure(db, a, D(2026, 5, 1), D(2026, 6, 29), status="extended")  # > 60 days, expired
    measure(db, a, D(2026, 4, 1), D(2026, 4, 30), status="released", outcome_on=D(2026, 4, 20))
    measure(db, b, D(2025, 5, 1), D(2025, 5, 30), status="released", outcome_on=D(2025, 7, 1))
    filing(db, a, D(2026, 2, 1), D(2026, 2, 20), filed_on=D(2026, 2, 25), status="accepted")
    filing(
        db,
        a,
        D(2026, 3, 1),
        D(2026, 3, 20),
        filed_on=D(2026, 3, 5),
        returned_times=1,
        status="returned",
    )
    filing(db, b, D(2025, 3, 1), D(2025, 3, 20))  # never filed: late
    secs = dashboard_cases.build(
        db,
        prefix="330802",
        subject_id=None,
        start=NOW_P[0],
        end=NOW_P[1],
        last_end=LAST_P[1],
        today=D(2026, 12, 5),
    )
    t = secs.cases.total
    assert t.now == {"filed": 2, "decided": 2, "closed": 1, "overdue": 1}
    assert t.last == {"filed": 1, "decided": 1, "closed": 0}
    by = {x.subject_id: x for x in secs.cases.lines}
    assert by[b.id].now["overdue"] == 1 and by[a.id].now["filed"] == 2
    m = secs.measures.total
    assert m.now == {"held": 2, "past30": 1, "past60": 1, "expired": 1}
    assert m.last == {"held": 1, "past30": 1, "past60": 1, "expired": 1}  # day 61 of 60
    f = secs.filings.total
    assert f.now == {"due": 2, "late": 1, "returned": 1, "accepted": 1}
    assert f.last == {"due": 1, "late": 1, "returned": 0, "accepted": 0}
    one = dashboard_cases.build(
        db,
        prefix="330802",
        subject_id=a.id,
        start=NOW_P[0],
        end=NOW_P[1],
        last_end=LAST_P[1],
        today=D(2026, 12, 5),
    )
    assert one.cases.total.now["overdue"] == 0 and one.filings.total.last["due"] == 0
    sheets = dict(secs.sheets())
    assert sheets["行政强制措施"][-1][:3] == ["合计", 2, 1]


def test_outcome_indicators(db: Session) -> None:
    a, b = subject(db, KC_SCJG), subject(db, KC_YJJ)
    e1, e2 = add_enterprise(db), add_enterprise(db)
    t1 = done(db, e1, [a], D(2026, 2, 1), origin="draw", outcome="rectify")
    done(db, e1, [a], D(2025, 9, 1), origin="plan", outcome="rectify")  # found again in 12 months
    t2 = done(db, e2, [a, b], D(2026, 3, 1), origin="plan", outcome="case")
    done(db, e2, [b], D(2026, 4, 1), origin="complaint")  # not routine
    done(db, e2, [b], D(2025, 3, 1), origin="draw")
    for task, rating in ((t1, 5), (t2, 2)):
        _keep(
            db,
            Evaluation(
                task_id=task.id,
                token_hash=f"h{next(_n)}",
                issued_at=utcnow(),
                rating=rating,
                misconduct="",
                submitted_at=utcnow(),
            ),
        )
    rect(db, a, due=D(2026, 3, 1), answered=D(2026, 2, 27), closed=D(2026, 3, 3))  # on time
    rect(db, a, due=D(2026, 3, 1), answered=D(2026, 3, 2), closed=D(2026, 3, 4))  # late
    rect(db, b, due=D(2025, 3, 1), answered=D(2025, 2, 2), closed=D(2025, 2, 4))
    used, unused = add_item(db, a.field), add_item(db, a.field)
    _keep(db, TaskItem(task_id=t1.id, item_id=used.id, subject_id=a.id))
    o = dashboard_outcomes.build(
        db,
        region_code="330802",
        prefix="330802",
        subject=None,
        start=NOW_P[0],
        end=NOW_P[1],
        last_end=LAST_P[1],
        low_max=2,
    )
    S = dashboard_outcomes.Share
    assert o.random_share == (S(1, 2), S(1, 1))
    assert o.reoffence == (S(1, 2), S(0, 0))
    assert o.rect_on_time == (S(1, 2), S(1, 1))
    assert o.satisfaction == (S(1, 2), S(0, 0))
    assert (used.code, used.name, 1) in o.most_used
    assert (unused.code, unused.name) in o.never_used and o.never_count >= 1
    mine = dashboard_outcomes.build(
        db,
        region_code="330802",
        prefix="330802",
        subject=b,
        start=NOW_P[0],
        end=NOW_P[1],
        last_end=LAST_P[1],
        low_max=2,
    )
    assert mine.random_share == (S(0, 1), S(1, 1)) and mine.rect_on_time[0] == S(0, 0)
    assert o.sheet()[1][:4] == ["双随机抽查占常规检查比例", 1, 2, 0.5]


def test_page_links_export_and_a_fixed_statement_count(client: TestClient, db: Session) -> None:
    year = local_today().year
    a, b = subject(db, KC_SCJG), subject(db, KC_YJJ)
    add_case(db, a, fine_yuan=100, decided_on=D(year, 1, 5))
    db.commit()
    sign_in(client, "kc_sfj")
    page = client.get("/oversight/dashboard")
    assert page.status_code == 200
    for part in (
        'id="cases"',
        'id="seizures"',
        'id="filings"',
        'id="outcomes"',
        f"/cases?year={year}&amp;subject={a.id}",
        "/cases?overdue=1",
        "/coercion?due=overdue",
        "/oversight/filings?late=1",
    ):
        assert part in page.text, part
    few = queries_for(client, db, "/oversight/dashboard")
    for s in (a, b):
        for k in range(4):
            add_case(db, s, fine_yuan=100 + k, decided_on=D(year, 1, 2 + k))
            measure(db, s, D(year, 1, 1 + k), D(year, 2, 1 + k))
            filing(db, s, D(year, 1, 2 + k), D(year, 1, 20 + k))
            rect(db, s, due=D(year, 1, 20), answered=D(year, 1, 10), closed=D(year, 1, 11 + k))
    db.commit()
    assert queries_for(client, db, "/oversight/dashboard") == few
    one = client.get(f"/oversight/dashboard?subject={b.id}")
    assert one.status_code == 200
    assert f"/oversight/filings?late=1&subject={b.id}" in one.text
    assert f"/cases?overdue=1&amp;subject={b.id}" in one.text
    xlsx = client.get("/oversight/dashboard.xlsx")
    wb = load_workbook(io.BytesIO(xlsx.content))
    for title in ("行政处罚案件", "行政强制措施", "重大执法决定备案", "结果指标"):
        assert title in wb.sheetnames
