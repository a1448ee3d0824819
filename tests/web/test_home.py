"""Each role's home (issue #19 item 5): its own items and not another subject's or region's, the
counts right on constructed data, and a fixed number of statements whatever the data size."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cases import PERSONA_USCC
from tests.cases import setup as case_setup
from tests.conftest import Personas, sign_in
from tests.inspections import KC_YJJ, START, World, add_enterprise, issue, new_task, world
from tests.web.test_query_counts import counting
from wurao.auth.scope import SYSTEM_ACTOR, Actor
from wurao.cases import decision
from wurao.cases import service as case_service
from wurao.cases.models import PenaltyCase
from wurao.cases.service import CaseData
from wurao.core import audit
from wurao.core import time as clock
from wurao.core.time import LOCAL_TZ
from wurao.inspections import records
from wurao.inspections.models import InspectionTask
from wurao.oversight.models import Alert
from wurao.registry.models import Officer
from wurao.web.home import Entry, Home, home_for

_serial = itertools.count(1)


def entry(home: Home, label: str) -> Entry:
    found = [e for s in home.sections for e in s.entries if e.label.startswith(label)]
    assert len(found) == 1, [e.label for s in home.sections for e in s.entries]
    return found[0]


def set_today(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    noon = dt.datetime.combine(day, dt.time(12), LOCAL_TZ).astimezone(dt.UTC)
    monkeypatch.setattr(clock, "utcnow", lambda: noon)


def persona_officer(db: Session, actor: Actor) -> Officer:
    officer = db.scalar(select(Officer).where(Officer.user_id == actor.user_id))
    assert officer is not None
    return officer


def officer_task(
    db: Session, p: Personas, w: World, *, mine: bool = True, **changes: object
) -> InspectionTask:
    """A task of the world's subject at a new enterprise, with the officer persona or without."""
    team = [persona_officer(db, p.officer).id, w.officers[0].id] if mine else None
    kw: dict[str, object] = {"enterprise_uscc": add_enterprise(db).uscc, **changes}
    if team is not None:
        kw["officer_ids"] = team
    return new_task(db, p.agency_admin, w, **kw)


@pytest.fixture
def tasks(db: Session, personas: Personas, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """On START: the officer persona's task coded for today, one started, one later this week
    waiting for its code; a draft of the same subject without him; a draft of another subject."""
    set_today(monkeypatch, START)
    w = world(db)
    coded = officer_task(db, personas, w)
    issue(db, personas.agency_admin, coded)
    started = officer_task(db, personas, w)
    issue(db, personas.agency_admin, started)
    records.start_record(db, task=started, actor=personas.officer)
    week = officer_task(db, personas, w, window_start=START + dt.timedelta(days=2))
    others = officer_task(db, personas, w, mine=False)
    w2 = world(db, KC_YJJ)
    foreign = new_task(db, personas.other_officer, w2, enterprise_uscc=add_enterprise(db).uscc)
    db.flush()
    return {"coded": coded, "started": started, "week": week, "others": others, "foreign": foreign}


def test_officer_home_lists_his_own_tasks_with_one_tap_to_the_code(
    db: Session, personas: Personas, tasks: dict[str, InspectionTask]
) -> None:
    home = home_for(db, actor=personas.officer, today=START)
    today = entry(home, "今天可检查")
    assert today.count == 1
    assert [r.action_href for r in today.rows] == [f"/tasks/{tasks['coded'].id}/code"]
    going = entry(home, "检查中")
    assert going.count == 1 and going.rows[0].action_href == f"/tasks/{tasks['started'].id}/record"
    week = entry(home, "本周待检查")
    assert week.count == 1 and week.rows[0].href == f"/tasks/{tasks['week'].id}"
    # the colleague's task of the same subject and the other subject's are not his
    listed = {r.href for s in home.sections for e in s.entries for r in e.rows}
    assert f"/tasks/{tasks['others'].id}" not in listed
    assert f"/tasks/{tasks['foreign'].id}" not in listed
    # another subject's officer sees none of them
    theirs = home_for(db, actor=personas.other_officer, today=START)
    assert entry(theirs, "今天可检查").count == 0 and entry(theirs, "检查中").count == 0


def test_agency_admin_home_counts_its_subjects_tasks_awaiting_a_code(
    db: Session, personas: Personas, tasks: dict[str, InspectionTask]
) -> None:
    home = home_for(db, actor=personas.agency_admin, today=START)
    drafts = entry(home, "待赋码")
    assert drafts.count == 2  # the week's and the colleague's; not the other subject's
    assert {r.href for r in drafts.rows} == {
        f"/tasks/{tasks['week'].id}",
        f"/tasks/{tasks['others'].id}",
    }
    later = START + dt.timedelta(days=30)  # both windows over: a pre-check cannot pass
    assert entry(home_for(db, actor=personas.agency_admin, today=later), "检查期间已过").count == 2


def test_enterprise_home_counts_its_own_inspections_only(
    db: Session, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_today(monkeypatch, START)
    w = world(db)
    for uscc in (PERSONA_USCC, add_enterprise(db).uscc):
        task = officer_task(db, personas, w, enterprise_uscc=uscc)
        issue(db, personas.agency_admin, task)
        records.start_record(db, task=task, actor=personas.officer)
    home = home_for(db, actor=personas.enterprise, today=START)
    assert entry(home, "正在进行的检查").count == 1
    assert entry(home, "待评价的检查").count == 0


def add_alert(db: Session, region: str, status: str = "new") -> Alert:
    n = next(_serial)
    alert = Alert(
        rule_id="F2 EVALUATION",
        dedup_key=f"home-test:{n}",
        severity="WARN",
        title=f"测试预警{n}",
        detail="",
        source="测试",
        region_code=region,
        status=status,
        created_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    db.add(alert)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="alert.create", obj=alert)
    return alert


def test_supervisor_home_counts_its_regions_new_alerts(db: Session, personas: Personas) -> None:
    def new_alerts(actor: Actor) -> int | None:
        return entry(home_for(db, actor=actor, today=START), "新预警").count

    mine, theirs = new_alerts(personas.supervisor), new_alerts(personas.neighbour_supervisor)
    add_alert(db, "330802")
    add_alert(db, "330802", status="dismissed")
    assert new_alerts(personas.supervisor) == (mine or 0) + 1
    assert new_alerts(personas.neighbour_supervisor) == theirs


def test_case_deadlines_of_the_officer_and_the_reviewers_queue(
    db: Session, personas: Personas
) -> None:
    w = case_setup(db)
    zhang = persona_officer(db, personas.officer)
    found = dt.date(2026, 9, 1)

    def open_case(officers: tuple[int, ...]) -> PenaltyCase:
        data = CaseData(
            origin="own", party_kind="enterprise", enterprise_id=w.enterprise.id,
            act_on=dt.date(2026, 8, 20), found_on=found, facts="当事人销售不合格产品。",
            provisions_breached="《中华人民共和国产品质量法》第四十九条",
            provisions_applied="《中华人民共和国产品质量法》第四十九条", officer_ids=officers,
        )  # fmt: skip
        return case_service.open_case(db, actor=personas.officer, data=data, today=found)

    case = open_case((zhang.id, w.officers[0].id))
    open_case(tuple(o.id for o in w.officers))
    soon = dt.date(2026, 9, 16)  # the 15 working days to decide on 立案 run out within a week
    officer = entry(home_for(db, actor=personas.officer, today=soon), "我承办的案件")
    assert officer.count == 1 and officer.rows[0].href == f"/cases/{case.id}"
    admin = entry(home_for(db, actor=personas.agency_admin, today=soon), "案件期限临近")
    assert admin.count == 2
    other = entry(home_for(db, actor=personas.other_officer, today=soon), "我承办的案件")
    assert other.count == 0
    assert entry(home_for(db, actor=personas.officer, today=found), "我承办的案件").count == 0
    # the reviewer's queue: only the cases sent to 法制审核
    queue = entry(home_for(db, actor=personas.legal_reviewer, today=soon), "待法制审核")
    assert queue.count == 0
    case_service.file_case(db, actor=personas.officer, case=case, on=dt.date(2026, 9, 2))
    decision.send_review(db, actor=personas.officer, case=case, on=dt.date(2026, 9, 10))
    queue = entry(home_for(db, actor=personas.legal_reviewer, today=soon), "待法制审核")
    assert queue.count == 1 and queue.rows[0].href == f"/cases/{case.id}"


def home_queries(client: TestClient, db: Session) -> int:
    client.get("/")  # warm the calendar and policy caches outside the count
    with counting(db) as n:
        resp = client.get("/")
        assert resp.status_code == 200, resp.text
        return n()


@pytest.mark.parametrize("username", ["kc_scjg_zhang", "kc_scjg_admin"])
def test_home_costs_a_fixed_number_of_statements(
    username: str,
    client: TestClient,
    db: Session,
    personas: Personas,
    tasks: dict[str, InspectionTask],
) -> None:
    db.commit()
    sign_in(client, username)
    few = home_queries(client, db)
    w = world(db)
    for _ in range(8):
        officer_task(db, personas, w)
        officer_task(db, personas, w, mine=False)
    for _ in range(3):
        issue(db, personas.agency_admin, officer_task(db, personas, w))
    db.commit()
    assert home_queries(client, db) == few


@pytest.mark.parametrize("username", ["kc_sfj", "kc_scjg_fzsh", "qiye_demo", "admin", "kc_yjj_li"])
def test_every_role_has_a_home(username: str, client: TestClient) -> None:
    sign_in(client, username)
    page = client.get("/")
    assert page.status_code == 200 and 'class="todo"' in page.text
